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
// "direct" connects to the websocket service's own port (found with `ss`), "gateway" through the gateway.
// Each event is a library created through the API; its LibraryChanged event travels through the
// outbox and RabbitMQ to the websocket service, which fans it out. Latency = arrival - commit time.
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Net.WebSockets;
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
    "direct" => [new Uri($"ws://127.0.0.1:{Server.ListeningPort(service)}/ws")],
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

GC.Collect();
var before = Server.Memory(service);
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

var serviceCpuBefore = Server.CpuSeconds(service);
var clientsCpuBefore = clients.Sum(c => c.TotalProcessorTime.TotalSeconds);
for (var e = 0; e < events; e++)
{
    using var created = await api.PostAsJsonAsync("/api/v1/libraries", new { name = $"live-bench-{Guid.NewGuid():N}"[..30] });
    created.EnsureSuccessStatusCode();
    await Task.Delay(TimeSpan.FromSeconds(3));
}

var serviceCpu = Server.CpuSeconds(service) - serviceCpuBefore;
var clientsCpu = clients.Sum(c => c.TotalProcessorTime.TotalSeconds) - clientsCpuBefore;
Console.WriteLine($"CPU during the events: websocket service {serviceCpu:0.00} s, client processes {clientsCpu:0.00} s " +
    $"({serviceCpu * 1e6 / Math.Max(1, held * events):0} µs of service CPU per delivery)");
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
foreach (var (id, list) in latencies.OrderBy(l => l.Value.Min()))
{
    list.Sort();
    all.AddRange(list);
    Console.WriteLine($"event {id[..8]}: reached {list.Count} of {held} clients; first {list[0]:0.0} ms, p50 {Percentile(list, 50):0.0} ms, p99 {Percentile(list, 99):0.0} ms, last {list[^1]:0.0} ms");
}
all.Sort();
if (all.Count > 0)
{
    Console.WriteLine($"all events: p50 {Percentile(all, 50):0.0} ms, p99 {Percentile(all, 99):0.0} ms over {all.Count} deliveries");
}
return 0;

static double Percentile(List<double> sorted, int p) => sorted[Math.Clamp((int)Math.Ceiling(p / 100.0 * sorted.Count) - 1, 0, sorted.Count - 1)];

/// <summary>One client process: opens its share of connections, subscribes each to index, records arrival latencies.</summary>
internal static class LiveClients
{
    public static async Task<int> RunAsync(Uri url, int count, string token, string resultsFile)
    {
        var sockets = new List<ClientWebSocket>(count);
        var lines = new System.Collections.Concurrent.ConcurrentQueue<string>();
        using var stop = new CancellationTokenSource();
        var subscribe = Encoding.UTF8.GetBytes("""{"type":"subscribe","topic":"index"}""");
        using var gate = new SemaphoreSlim(64);
        var readers = new List<Task>(count);
        var opening = Enumerable.Range(0, count).Select(async _ =>
        {
            await gate.WaitAsync();
            try
            {
                var socket = new ClientWebSocket();
                socket.Options.SetRequestHeader("Authorization", $"Bearer {token}");
                socket.Options.KeepAliveInterval = TimeSpan.Zero;
                await socket.ConnectAsync(url, CancellationToken.None);
                await socket.SendAsync(subscribe, WebSocketMessageType.Text, true, CancellationToken.None);
                lock (sockets)
                {
                    sockets.Add(socket);
                    readers.Add(ReadAsync(socket, lines, stop.Token));
                }
            }
            catch (Exception e) when (e is WebSocketException or HttpRequestException or IOException)
            {
                await Console.Error.WriteLineAsync($"connect failed: {e.Message}");
            }
            finally
            {
                gate.Release();
            }
        });
        await Task.WhenAll(opening);
        Console.WriteLine($"ready {sockets.Count}");

        // The driver closes our stdin when it is done publishing.
        await Console.In.ReadToEndAsync();
        await stop.CancelAsync();
        await File.WriteAllLinesAsync(resultsFile, lines);
        foreach (var socket in sockets)
        {
            socket.Abort();
            socket.Dispose();
        }
        return 0;
    }

    private static async Task ReadAsync(ClientWebSocket socket, System.Collections.Concurrent.ConcurrentQueue<string> lines, CancellationToken stop)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            while (true)
            {
                var result = await socket.ReceiveAsync(buffer.AsMemory(), stop);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return;
                }
                var arrived = DateTimeOffset.UtcNow;
                // Light on the client's CPU (it shares the machine with the server): only the two fields wanted, read in place.
                var received = buffer.AsSpan(0, result.Count);
                if (received.IndexOf("\"library.changed\""u8) >= 0 && Field(received, "\"id\":\""u8) is { } id && Field(received, "\"changedAt\":\""u8) is { } changedAt)
                {
                    var committed = DateTimeOffset.Parse(changedAt, CultureInfo.InvariantCulture);
                    lines.Enqueue($"{id} {(arrived - committed).TotalMilliseconds.ToString("0.0", CultureInfo.InvariantCulture)}");
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException or FormatException)
        {
        }
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
    public static int? Find(string name)
    {
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
                    return pid;
                }
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
        return null;
    }

    /// <summary>User + system CPU time the process has used, in seconds (from /proc/PID/stat; clock ticks of 1/100 s).</summary>
    public static double CpuSeconds(int? pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / 100.0;
    }

    /// <summary>Resident and peak memory, KiB.</summary>
    public static (long Rss, long Peak) Memory(int? pid)
    {
        var status = File.ReadAllLines($"/proc/{pid}/status");
        long Value(string key) => long.Parse(status.First(l => l.StartsWith(key, StringComparison.Ordinal)).Split(':')[1].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
        return (Value("VmRSS"), Value("VmHWM"));
    }

    /// <summary>The TCP port the process listens on (the service has one endpoint).</summary>
    public static int ListeningPort(int? pid)
    {
        var output = Process.Start(new ProcessStartInfo("ss", ["-ltnpH"]) { RedirectStandardOutput = true })!.StandardOutput.ReadToEnd();
        foreach (var line in output.Split('\n'))
        {
            if (line.Contains($"pid={pid},", StringComparison.Ordinal))
            {
                var local = line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[3];
                return int.Parse(local[(local.LastIndexOf(':') + 1)..], CultureInfo.InvariantCulture);
            }
        }
        throw new InvalidOperationException($"Process {pid} listens on no TCP port.");
    }
}
