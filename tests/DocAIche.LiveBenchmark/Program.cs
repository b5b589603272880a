// Live updates at scale: many authenticated WebSocket connections held by separate client processes
// (the open-files limit is per process), the websocket service's memory per idle connection, and
// the latency from one event being committed to its arrival at every subscribed client.
//
// Start DocAIche with the per-user and rate limits raised (one benchmark user opens every connection):
//   ./run.sh --LiveUpdates:MaxConnectionsPerUser=1000000 \
//            --Gateway:Edge:PerCaller:TokenLimit=1000000 --Gateway:Edge:PerCaller:TokensPerPeriod=1000000 \
//            --Gateway:Edge:PerTenant:TokenLimit=1000000 --Gateway:Edge:PerTenant:TokensPerPeriod=1000000
// then:
//   dotnet run -c Release --project tests/DocAIche.LiveBenchmark -- [connections=10000] [processes=4] [gateway|gateways|direct] [events=5]
// "direct" connects to the websocket service's live port (read from its environment), "gateway" through
// the gateway, "gateways" through every gateway instance (DOCAICHE_GATEWAY_INSTANCES=2 ./run.sh).
// Each event is a library created through the API; its LibraryChanged event travels through the
// outbox and RabbitMQ to the websocket service, which fans it out. Latency = arrival - commit time.
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using DocAIche.IntegrationTests.Support;

if (args.Length > 0 && args[0] == "client")
{
    return await LiveClients.RunAsync(new Uri(args[1]), int.Parse(args[2], CultureInfo.InvariantCulture), args[3], args[4]);
}

var connections = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 10_000;
var processes = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 4;
var target = args.Length > 2 ? args[2] : "gateway";
var events = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 5;

var gateway = new Uri(Environment.GetEnvironmentVariable("DOCAICHE_GATEWAY") ?? "http://127.0.0.1:8080");
if (!gateway.IsLoopback)
{
    Console.Error.WriteLine("The benchmark only runs against DocAIche on loopback.");
    return 2;
}
var email = Environment.GetEnvironmentVariable("DOCAICHE_BOOTSTRAP_EMAIL") ?? "owner@docaiche.local";
var password = Environment.GetEnvironmentVariable("DOCAICHE_BOOTSTRAP_PASSWORD")
    ?? File.ReadAllText(Path.Combine(Environment.GetEnvironmentVariable("DOCAICHE_DATA") ?? "/var/lib/docaiche", "secrets", "bootstrap-password")).Trim();
var token = (await OidcTestClient.SignInAsync(gateway, email, password)).AccessToken;
using var api = new HttpClient { BaseAddress = gateway };
api.DefaultRequestHeaders.Authorization = new("Bearer", token);

var service = Server.Find("DocAIche.WebSocket") ?? throw new InvalidOperationException("The websocket service is not running.");
// "gateways": client processes take turns over every gateway instance (DOCAICHE_GATEWAY_INSTANCES=2 ./run.sh starts 8080 and 8081).
var urls = target switch
{
    "direct" => [new Uri($"ws://127.0.0.1:{Server.LivePort(service)}/ws")],
    "gateways" => (Environment.GetEnvironmentVariable("DOCAICHE_GATEWAYS") ?? $"{gateway},http://{gateway.Host}:{gateway.Port + 1}")
        .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
        .Select(u => new Uri($"ws://{new Uri(u).Authority}/ws"))
        .ToArray(),
    _ => new[] { new Uri($"ws://{gateway.Authority}/ws") },
};
if (urls.Any(u => !u.IsLoopback))
{
    Console.Error.WriteLine("The benchmark only connects to loopback addresses.");
    return 2;
}
Console.WriteLine($"{connections} connections to {string.Join(", ", urls.Select(u => u.ToString()))} from {processes} client processes, {events} events");

// Gateways hold two sockets per proxied connection; their growth is reported too when they carry the clients.
List<int> gateways = target == "direct" ? [] : Server.FindAll("DocAIche.Gateway");
GC.Collect();
var before = Server.Memory(service);
var gatewaysBefore = gateways.Select(g => Server.Memory(g).Rss).ToList();
var results = Path.Combine(Path.GetTempPath(), $"docaiche-live-{Guid.NewGuid():N}");
Directory.CreateDirectory(results);
var clients = new List<Process>();
var clock = Stopwatch.StartNew();
for (var p = 0; p < processes; p++)
{
    var share = (connections / processes) + (p < connections % processes ? 1 : 0);
    var start = new ProcessStartInfo("dotnet", [typeof(LiveClients).Assembly.Location, "client", urls[p % urls.Length].ToString(), share.ToString(CultureInfo.InvariantCulture), token,
        Path.Combine(results, $"{p}.txt")])
    {
        // The clients' continuations are a few span searches: run them on the socket engine's threads, not the thread pool.
        Environment = { ["DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS"] = "1", ["DOTNET_gcServer"] = "0" },
        RedirectStandardInput = true,
        RedirectStandardOutput = true,
        UseShellExecute = false,
    };
    clients.Add(Process.Start(start)!);
}
var held = 0;
foreach (var client in clients)
{
    // Each client process prints "ready <held>" once its connections are open and subscribed.
    var line = await client.StandardOutput.ReadLineAsync() ?? "ready 0";
    held += int.Parse(line.Split(' ')[1], CultureInfo.InvariantCulture);
}
var connectSeconds = clock.Elapsed.TotalSeconds;
await Task.Delay(TimeSpan.FromSeconds(3));
var idle = Server.Memory(service);
Console.WriteLine($"held {held} of {connections} in {connectSeconds:0.0} s; websocket service resident {before.Rss / 1024.0:0} MiB -> {idle.Rss / 1024.0:0} MiB = " +
    $"{(idle.Rss - before.Rss) * 1024.0 / Math.Max(1, held) / 1024.0:0.0} KiB per idle connection (GC heap included)");
for (var g = 0; g < gateways.Count; g++)
{
    var rss = Server.Memory(gateways[g]).Rss;
    var carried = held / gateways.Count;
    Console.WriteLine($"gateway {gateways[g]}: resident {gatewaysBefore[g] / 1024.0:0} MiB -> {rss / 1024.0:0} MiB = " +
        $"{(rss - gatewaysBefore[g]) / (double)Math.Max(1, carried):0.0} KiB per proxied connection (about {carried} each)");
}

// One event first, reported on its own: a fresh service compiles its fan-out path on it.
await PublishAsync();
await Task.Delay(TimeSpan.FromSeconds(3));

var serviceCpuBefore = Server.CpuSeconds(service);
var clientsCpuBefore = clients.Sum(c => c.TotalProcessorTime.TotalSeconds);
var gatewaysCpuBefore = gateways.Sum(g => Server.CpuSeconds(g));
var machineBusyBefore = Server.MachineBusySeconds();
for (var e = 0; e < events; e++)
{
    await PublishAsync();
    await Task.Delay(TimeSpan.FromSeconds(3));
}

var serviceCpu = Server.CpuSeconds(service) - serviceCpuBefore;
var clientsCpu = clients.Sum(c => c.TotalProcessorTime.TotalSeconds) - clientsCpuBefore;
var gatewaysCpu = gateways.Sum(g => Server.CpuSeconds(g)) - gatewaysCpuBefore;
var machineBusy = Server.MachineBusySeconds() - machineBusyBefore;
Console.WriteLine($"CPU during the events: websocket service {serviceCpu:0.00} s, gateways {gatewaysCpu:0.00} s, client processes {clientsCpu:0.00} s, " +
    $"whole machine {machineBusy:0.00} s ({serviceCpu * 1e6 / Math.Max(1, held * events):0} µs of service CPU per delivery)");
foreach (var client in clients)
{
    client.StandardInput.Close();
}
foreach (var client in clients)
{
    await client.WaitForExitAsync();
}

var latencies = new Dictionary<string, List<double>>();
foreach (var file in Directory.GetFiles(results))
{
    foreach (var line in File.ReadLines(file))
    {
        var parts = line.Split(' ');
        if (!latencies.TryGetValue(parts[0], out var list))
        {
            latencies[parts[0]] = list = [];
        }
        list.Add(double.Parse(parts[1], CultureInfo.InvariantCulture));
    }
}
Directory.Delete(results, recursive: true);
var all = new List<double>();
// Event ids are time-ordered (UUIDv7): the first is the warm-up.
var warmUp = latencies.Keys.Min(StringComparer.Ordinal);
foreach (var (id, list) in latencies.OrderBy(l => l.Key, StringComparer.Ordinal))
{
    list.Sort();
    if (id != warmUp)
    {
        all.AddRange(list);
    }
    Console.WriteLine($"{(id == warmUp ? "warm-up " : "")}event {id}: reached {list.Count} of {held} clients; first {list[0]:0.0} ms, p50 {Percentile(list, 50):0.0} ms, p99 {Percentile(list, 99):0.0} ms, last {list[^1]:0.0} ms");
}
all.Sort();
if (all.Count > 0)
{
    Console.WriteLine($"all events but the warm-up: p50 {Percentile(all, 50):0.0} ms, p99 {Percentile(all, 99):0.0} ms over {all.Count} deliveries");
}
return 0;

async Task PublishAsync()
{
    using var created = await api.PostAsJsonAsync("/api/v1/libraries", new { name = $"live-bench-{Guid.NewGuid():N}"[..30] });
    created.EnsureSuccessStatusCode();
}

static double Percentile(List<double> sorted, int p) => sorted[Math.Clamp((int)Math.Ceiling(p / 100.0 * sorted.Count) - 1, 0, sorted.Count - 1)];

/// <summary>
/// One client process: opens its share of connections, subscribes each to index, records arrival
/// latencies. It speaks the WebSocket protocol over raw sockets, with completions run on the
/// socket engine's threads, because it shares two cores with the server it measures: what it spends
/// per message is taken from the server's fan-out.
/// </summary>
internal static class LiveClients
{
    public static async Task<int> RunAsync(Uri url, int count, string token, string resultsFile)
    {
        var endpoint = new IPEndPoint(IPAddress.Parse(url.Host), url.Port);
        var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));
        var handshake = Encoding.ASCII.GetBytes($"GET {url.PathAndQuery} HTTP/1.1\r\nHost: {url.Authority}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
            $"Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: {key}\r\nAuthorization: Bearer {token}\r\n\r\n");
        var subscribe = MaskedTextFrame("""{"type":"subscribe","topic":"index"}"""u8);
        var sockets = new List<Socket>(count);
        var lines = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var failures = new System.Collections.Concurrent.ConcurrentDictionary<string, int>();
        using var gate = new SemaphoreSlim(64);
        var opening = Enumerable.Range(0, count).Select(async index =>
        {
            await gate.WaitAsync();
            var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            // A server out of descriptors leaves connections in its backlog, unanswered: they count as failed.
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            try
            {
                await socket.ConnectAsync(endpoint, deadline.Token);
                await socket.SendAsync(handshake, deadline.Token);
                var (status, leftover) = await ReadResponseHeadAsync(socket, deadline.Token);
                if (status != "101")
                {
                    failures.AddOrUpdate($"HTTP {status}", 1, (_, n) => n + 1);
                    socket.Dispose();
                    return;
                }
                await socket.SendAsync(subscribe);
                lock (sockets)
                {
                    sockets.Add(socket);
                }
                _ = ReadAsync(socket, leftover, lines);
            }
            catch (SocketException e)
            {
                failures.AddOrUpdate(e.SocketErrorCode.ToString(), 1, (_, n) => n + 1);
                socket.Dispose();
            }
            catch (OperationCanceledException)
            {
                failures.AddOrUpdate("no answer within 30 s", 1, (_, n) => n + 1);
                socket.Dispose();
            }
            finally
            {
                gate.Release();
            }
        });
        await Task.WhenAll(opening);
        foreach (var (reason, times) in failures)
        {
            await Console.Error.WriteLineAsync($"{times} connections failed: {reason}");
        }
        Console.WriteLine($"ready {sockets.Count}");

        // The driver closes our stdin when it is done publishing. Console reads block: on a thread of
        // their own, never on the socket engine's thread this code may have been resumed on.
        await Task.Run(Console.In.ReadToEnd);
        await File.WriteAllLinesAsync(resultsFile, lines);
        foreach (var socket in sockets)
        {
            socket.Dispose();
        }
        return 0;
    }

    /// <summary>The response's status code, and whatever arrived after its head (the first frames).</summary>
    private static async Task<(string Status, byte[] Leftover)> ReadResponseHeadAsync(Socket socket, CancellationToken cancellationToken)
    {
        var buffer = new byte[4096];
        var received = 0;
        while (received < buffer.Length)
        {
            var read = await socket.ReceiveAsync(buffer.AsMemory(received), cancellationToken);
            if (read == 0)
            {
                break;
            }
            received += read;
            var end = buffer.AsSpan(0, received).IndexOf("\r\n\r\n"u8);
            if (end >= 0)
            {
                var statusLine = Encoding.ASCII.GetString(buffer, 0, buffer.AsSpan(0, end).IndexOf("\r\n"u8) is var eol and >= 0 ? eol : end);
                return (statusLine.Split(' ')[1], buffer[(end + 4)..received]);
            }
        }
        return ("none", []);
    }

    /// <summary>Reads server frames (unmasked) and times the library.changed events.</summary>
    private static async Task ReadAsync(Socket socket, byte[] leftover, System.Collections.Concurrent.ConcurrentQueue<string> lines)
    {
        var buffer = new byte[Math.Max(4096, leftover.Length)];
        leftover.CopyTo(buffer, 0);
        var filled = leftover.Length;
        try
        {
            while (true)
            {
                var consumed = 0;
                var arrived = DateTimeOffset.UtcNow;
                while (TryFrame(buffer.AsSpan(consumed, filled - consumed), out var opcode, out var payloadStart, out var length))
                {
                    var payload = buffer.AsSpan(consumed + payloadStart, length);
                    if (opcode == 0x8)
                    {
                        return;
                    }
                    if (opcode == 0x1 && payload.IndexOf("\"library.changed\""u8) >= 0 &&
                        Field(payload, "\"id\":\""u8) is { } id && Field(payload, "\"changedAt\":\""u8) is { } changedAt)
                    {
                        var committed = DateTimeOffset.Parse(changedAt, CultureInfo.InvariantCulture);
                        lines.Enqueue($"{id} {(arrived - committed).TotalMilliseconds.ToString("0.0", CultureInfo.InvariantCulture)}");
                    }
                    consumed += payloadStart + length;
                }
                // Keep a partial frame at the front; grow for one larger than the buffer.
                buffer.AsSpan(consumed, filled - consumed).CopyTo(buffer);
                filled -= consumed;
                if (filled == buffer.Length)
                {
                    Array.Resize(ref buffer, buffer.Length * 2);
                }
                var read = await socket.ReceiveAsync(buffer.AsMemory(filled));
                if (read == 0)
                {
                    return;
                }
                filled += read;
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or FormatException)
        {
        }
    }

    /// <summary>A whole frame at the start of <paramref name="data"/>: its opcode, where its payload starts and how long it is.</summary>
    private static bool TryFrame(ReadOnlySpan<byte> data, out int opcode, out int payloadStart, out int length)
    {
        (opcode, payloadStart, length) = (0, 0, 0);
        if (data.Length < 2)
        {
            return false;
        }
        opcode = data[0] & 0x0F;
        var declared = (long)(data[1] & 0x7F);
        payloadStart = 2;
        if (declared == 126)
        {
            if (data.Length < 4)
            {
                return false;
            }
            declared = System.Buffers.Binary.BinaryPrimitives.ReadUInt16BigEndian(data[2..]);
            payloadStart = 4;
        }
        else if (declared == 127)
        {
            if (data.Length < 10)
            {
                return false;
            }
            declared = (long)System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(data[2..]);
            payloadStart = 10;
        }
        length = (int)declared;
        return data.Length >= payloadStart + length;
    }

    /// <summary>A client's text frame: clients mask what they send (RFC 6455 section 5.3).</summary>
    private static byte[] MaskedTextFrame(ReadOnlySpan<byte> text)
    {
        var frame = new byte[6 + text.Length];
        frame[0] = 0x81;
        frame[1] = (byte)(0x80 | text.Length);
        RandomNumberGenerator.Fill(frame.AsSpan(2, 4));
        for (var i = 0; i < text.Length; i++)
        {
            frame[6 + i] = (byte)(text[i] ^ frame[2 + (i % 4)]);
        }
        return frame;
    }

    /// <summary>The string value after <paramref name="name"/> (which ends with the opening quote), if any.</summary>
    private static string? Field(ReadOnlySpan<byte> json, ReadOnlySpan<byte> name)
    {
        var start = json.IndexOf(name);
        if (start < 0)
        {
            return null;
        }
        var value = json[(start + name.Length)..];
        var end = value.IndexOf((byte)'"');
        return end < 0 ? null : Encoding.UTF8.GetString(value[..end]);
    }
}

/// <summary>A DocAIche process found through /proc: its memory and its listening port.</summary>
internal static class Server
{
    public static int? Find(string name) => FindAll(name).Cast<int?>().FirstOrDefault();

    public static List<int> FindAll(string name)
    {
        var found = new List<int>();
        foreach (var directory in Directory.GetDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), out var pid))
            {
                continue;
            }
            try
            {
                var cmdline = File.ReadAllText(Path.Combine(directory, "cmdline"));
                if (cmdline.Contains(name, StringComparison.Ordinal) && !cmdline.Contains("--project", StringComparison.Ordinal) &&
                    !cmdline.Contains("LiveBenchmark", StringComparison.Ordinal))
                {
                    found.Add(pid);
                }
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
        return found;
    }

    /// <summary>User + system CPU time the process has used, in seconds (from /proc/PID/stat; clock ticks of 1/100 s).</summary>
    public static double CpuSeconds(int? pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / 100.0;
    }

    /// <summary>Every process's user, system, interrupt and steal time, in CPU-seconds (the first line of /proc/stat, in 1/100 s).</summary>
    public static double MachineBusySeconds()
    {
        var cpu = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        // user nice system idle iowait irq softirq steal
        int[] busy = [1, 2, 3, 6, 7, 8];
        return busy.Sum(i => long.Parse(cpu[i], CultureInfo.InvariantCulture)) / 100.0;
    }

    /// <summary>Resident and peak memory, KiB.</summary>
    public static (long Rss, long Peak) Memory(int? pid)
    {
        var status = File.ReadAllLines($"/proc/{pid}/status");
        long Value(string key) => long.Parse(status.First(l => l.StartsWith(key, StringComparison.Ordinal)).Split(':')[1].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
        return (Value("VmRSS"), Value("VmHWM"));
    }

    /// <summary>The live endpoint's port, from the environment the orchestrator gave the service.</summary>
    public static int LivePort(int? pid)
    {
        foreach (var entry in File.ReadAllText($"/proc/{pid}/environ").Split('\0'))
        {
            if (entry.StartsWith("LiveUpdates__Port=", StringComparison.Ordinal))
            {
                return int.Parse(entry["LiveUpdates__Port=".Length..], CultureInfo.InvariantCulture);
            }
        }
        throw new InvalidOperationException($"Process {pid} has no LiveUpdates__Port.");
    }
}
