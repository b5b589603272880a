using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text.Json;

/// <summary>An upload accepted as an ingestion job: its library, source and job, and the word only its page contains.</summary>
internal sealed record AcceptedUpload(Guid LibraryId, Guid SourceId, Guid JobId, string Word);

/// <summary>One request's outcome: what it was, when, and the status it ended with (0: no answer).</summary>
internal sealed record Sample(TimeSpan At, string Kind, int Status, bool Ok);

/// <summary>
/// Steady mixed load through the front, as users make it: searches and MCP tool calls (idempotent
/// reads, retried once), sign-ins, keyed library creations and uploads that start ingestion jobs
/// (retried with the same Idempotency-Key until accepted), and live clients subscribed to index
/// changes and jobs that reconnect with their last event id when cut off.
/// </summary>
internal sealed class Load(Uri gateway, string apiKey, Stopwatch clock)
{
    private static readonly string[] Words = ["install", "configuration", "proxy", "state", "error", "routing", "cache", "deploy"];

    public ConcurrentQueue<Sample> Samples { get; } = new();

    /// <summary>Libraries the service accepted (201), by id, with their names.</summary>
    public ConcurrentDictionary<Guid, string> Accepted { get; } = new();

    /// <summary>Writes abandoned after a minute of retries.</summary>
    public int Abandoned;

    /// <summary>Uploads accepted as ingestion jobs, by job id.</summary>
    public ConcurrentDictionary<Guid, AcceptedUpload> Uploads { get; } = new();

    /// <summary>Uploads not made because one of their three writes was abandoned after a minute of retries.</summary>
    public int UploadsAbandoned;

    public List<LiveWatcher> Watchers { get; } = [];

    private HttpClient Client() => new() { BaseAddress = gateway, Timeout = TimeSpan.FromSeconds(15), DefaultRequestHeaders = { { "X-Api-Key", apiKey } } };

    /// <summary>Who signs in, in the sign-in loop.</summary>
    public (string Email, string Password)? SignIn { get; init; }

    public Task RunAsync(int readers, int writers, int watchers, CancellationToken stop)
    {
        for (var i = 0; i < watchers; i++)
        {
            Watchers.Add(new LiveWatcher(gateway, apiKey, clock, Samples));
        }
        return Task.WhenAll(
            Enumerable.Range(0, readers).Select(i => ReadAsync(i, stop))
                .Concat(Enumerable.Range(0, writers).Select(i => WriteAsync(i, stop)))
                .Concat(Watchers.Select(w => w.RunAsync(stop)))
                .Append(McpAsync(stop))
                .Append(IngestAsync(stop))
                .Append(SignInsAsync(stop)));
    }

    /// <summary>An agent's MCP tool calls (stateless sessions: any instance answers), retried once like reads.</summary>
    private async Task McpAsync(CancellationToken stop)
    {
        using var http = Client();
        ModelContextProtocol.Client.McpClient? mcp = null;
        var n = 0;
        while (!stop.IsCancellationRequested)
        {
            var ok = false;
            for (var attempt = 0; attempt < 2 && !ok && !stop.IsCancellationRequested; attempt++)
            {
                try
                {
                    mcp ??= await ModelContextProtocol.Client.McpClient.CreateAsync(new ModelContextProtocol.Client.HttpClientTransport(
                        new ModelContextProtocol.Client.HttpClientTransportOptions { Endpoint = new Uri(gateway, "/mcp"), TransportMode = ModelContextProtocol.Client.HttpTransportMode.StreamableHttp },
                        http, ownsHttpClient: false), cancellationToken: stop);
                    var result = await mcp.CallToolAsync("search_docs", new Dictionary<string, object?> { ["query"] = Words[n++ % Words.Length] }, cancellationToken: stop);
                    ok = result.IsError != true;
                }
                catch (Exception exception) when (exception is not OperationCanceledException || !stop.IsCancellationRequested)
                {
                    if (mcp is not null)
                    {
                        await mcp.DisposeAsync();
                    }
                    mcp = null;
                }
            }
            if (!stop.IsCancellationRequested)
            {
                Record("mcp", ok ? 200 : 0);
            }
            await Pause(500, stop);
        }
        if (mcp is not null)
        {
            await mcp.DisposeAsync();
        }
    }

    /// <summary>A person signing in through the real form (authorization code with PKCE) every few seconds, retried once.</summary>
    private async Task SignInsAsync(CancellationToken stop)
    {
        if (SignIn is not { } person)
        {
            return;
        }
        while (!stop.IsCancellationRequested)
        {
            var ok = false;
            for (var attempt = 0; attempt < 2 && !ok && !stop.IsCancellationRequested; attempt++)
            {
                try
                {
                    ok = (await DocAIche.IntegrationTests.Support.OidcTestClient.SignInAsync(gateway, person.Email, person.Password)).AccessToken.Length > 0;
                }
                catch (Exception exception) when (exception is not OperationCanceledException)
                {
                }
            }
            if (!stop.IsCancellationRequested)
            {
                Record("sign-in", ok ? 200 : 0);
            }
            await Pause(3000, stop);
        }
    }

    private async Task ReadAsync(int reader, CancellationToken stop)
    {
        using var http = Client();
        var n = reader;
        while (!stop.IsCancellationRequested)
        {
            var url = $"/api/v1/search?q={Words[n++ % Words.Length]}";
            var status = await TryAsync(() => http.GetAsync(url, stop));
            if (!Ok(status) && !stop.IsCancellationRequested)
            {
                status = await TryAsync(() => http.GetAsync(url, stop)); // callers retry idempotent reads once
            }
            Record("search", status);
            await Pause(100, stop);
        }
    }

    private async Task WriteAsync(int writer, CancellationToken stop)
    {
        using var http = Client();
        var n = 0;
        while (!stop.IsCancellationRequested)
        {
            var name = $"fc-{writer}-{n++}-{Guid.NewGuid():N}"[..24];
            var created = await SendUntilAcceptedAsync(http, "write", HttpStatusCode.Created,
                () => new HttpRequestMessage(HttpMethod.Post, "/api/v1/libraries") { Content = JsonContent.Create(new { name, versions = new[] { "1" } }) });
            if (created is { } library)
            {
                Accepted[library.GetProperty("id").GetGuid()] = name;
            }
            await Pause(400, stop);
        }
    }

    /// <summary>
    /// Ingestion jobs, as an editor makes them: a library, an upload source in it, and a Markdown page
    /// uploaded to it (202 with the job), each a keyed write retried until accepted. The page holds a
    /// word no other page has, so search can tell whether it was indexed once.
    /// </summary>
    private async Task IngestAsync(CancellationToken stop)
    {
        using var http = Client();
        while (!stop.IsCancellationRequested)
        {
            var word = $"fcword{Guid.NewGuid():N}"[..18];
            var library = await SendUntilAcceptedAsync(http, "ingest", HttpStatusCode.Created,
                () => new HttpRequestMessage(HttpMethod.Post, "/api/v1/libraries") { Content = JsonContent.Create(new { name = $"fi-{word}", versions = new[] { "1" } }) });
            var libraryId = library?.GetProperty("id").GetGuid();
            var source = libraryId is null ? null : await SendUntilAcceptedAsync(http, "ingest", HttpStatusCode.Created,
                () => new HttpRequestMessage(HttpMethod.Post, $"/api/v1/libraries/{libraryId}/versions/1/sources") { Content = JsonContent.Create(new { kind = "upload" }) });
            var sourceId = source?.GetProperty("id").GetGuid();
            // The same boundary every time: a retry must send the same bytes, or the key's fingerprint differs.
            var page = System.Text.Encoding.UTF8.GetBytes(
                $"# Campaign page {word}\n\nThis page about {word} was uploaded while the fault campaign ran.\n\n## Details\n\nIt is indexed once, audited once and announced once.\n");
            var job = sourceId is null ? null : await SendUntilAcceptedAsync(http, "ingest", HttpStatusCode.Accepted,
                () => new HttpRequestMessage(HttpMethod.Post, $"/api/v1/sources/{sourceId}/uploads")
                {
                    Content = new MultipartFormDataContent($"fault-campaign-{word}")
                    {
                        { new ByteArrayContent(page) { Headers = { ContentType = new("text/markdown") } }, "file", $"{word}.md" },
                    },
                });
            if (job is { } accepted)
            {
                var jobId = accepted.GetProperty("id").GetGuid();
                Uploads[jobId] = new AcceptedUpload(libraryId!.Value, sourceId!.Value, jobId, word);
            }
            else
            {
                Interlocked.Increment(ref UploadsAbandoned);
            }
            await Pause(1500, stop);
        }
    }

    /// <summary>
    /// Sends one keyed write until the service accepts it, as a client that must not lose it does: the
    /// same Idempotency-Key and body on every attempt, one every half second, abandoned after a minute.
    /// Returns the accepted answer's body, or null when abandoned.
    /// </summary>
    private async Task<JsonElement?> SendUntilAcceptedAsync(HttpClient http, string kind, HttpStatusCode accepted, Func<HttpRequestMessage> write)
    {
        var key = Guid.NewGuid().ToString();
        var started = clock.Elapsed;
        while (true)
        {
            int status;
            JsonElement? body = null;
            try
            {
                using var request = write();
                request.Headers.Add("Idempotency-Key", key);
                using var response = await http.SendAsync(request, CancellationToken.None);
                status = (int)response.StatusCode;
                if (response.StatusCode == accepted)
                {
                    body = await response.Content.ReadFromJsonAsync<JsonElement>(CancellationToken.None);
                }
            }
            catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
            {
                status = 0;
            }
            Record(kind, status);
            if (body is not null)
            {
                return body;
            }
            if (clock.Elapsed - started > TimeSpan.FromMinutes(1))
            {
                if (kind == "write")
                {
                    Interlocked.Increment(ref Abandoned);
                }
                return null;
            }
            await Task.Delay(500, CancellationToken.None);
        }
    }

    private static async Task<int> TryAsync(Func<Task<HttpResponseMessage>> send)
    {
        try
        {
            using var response = await send();
            return (int)response.StatusCode;
        }
        catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
        {
            return 0;
        }
    }

    private static bool Ok(int status) => status is >= 200 and < 300;

    private void Record(string kind, int status) => Samples.Enqueue(new Sample(clock.Elapsed, kind, status, Ok(status)));

    private static async Task Pause(int milliseconds, CancellationToken stop)
    {
        try
        {
            await Task.Delay(milliseconds, stop);
        }
        catch (OperationCanceledException)
        {
        }
    }
}

/// <summary>
/// A live client: subscribes to <c>index</c> and <c>jobs</c>, counts library changes by library and
/// finished jobs by job, reconnects with its last event id.
/// </summary>
internal sealed class LiveWatcher(Uri gateway, string apiKey, Stopwatch clock, ConcurrentQueue<Sample> samples)
{
    public ConcurrentDictionary<Guid, int> Seen { get; } = new();

    public ConcurrentDictionary<Guid, int> JobsFinished { get; } = new();

    public int Reconnections;

    public int ReplayUnavailable;

    public bool Connected { get; private set; }

    public async Task RunAsync(CancellationToken stop)
    {
        string? lastEventId = null;
        var buffer = new byte[256 * 1024];
        var first = true;
        while (!stop.IsCancellationRequested)
        {
            using var socket = new ClientWebSocket();
            socket.Options.SetRequestHeader("X-Api-Key", apiKey);
            try
            {
                await socket.ConnectAsync(new Uri($"ws://{gateway.Authority}/ws"), stop);
                foreach (var topic in new[] { "index", "jobs" })
                {
                    await socket.SendAsync(JsonSerializer.SerializeToUtf8Bytes(new { type = "subscribe", topic, lastEventId }), WebSocketMessageType.Text, true, stop);
                }
                if (!first)
                {
                    Interlocked.Increment(ref Reconnections);
                }
                first = false;
                Connected = true;
                samples.Enqueue(new Sample(clock.Elapsed, "live", 101, true));
                while (!stop.IsCancellationRequested)
                {
                    var received = 0;
                    ValueWebSocketReceiveResult result;
                    do
                    {
                        result = await socket.ReceiveAsync(buffer.AsMemory(received), stop);
                        received += result.Count;
                    }
                    while (!result.EndOfMessage);
                    if (result.MessageType == WebSocketMessageType.Close)
                    {
                        break;
                    }
                    var message = JsonDocument.Parse(buffer.AsMemory(0, received)).RootElement;
                    var type = message.TryGetProperty("type", out var t) ? t.GetString() : null;
                    if (type == "error" && message.TryGetProperty("code", out var code) && code.GetString() == "replay-unavailable")
                    {
                        Interlocked.Increment(ref ReplayUnavailable);
                    }
                    if (message.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String)
                    {
                        lastEventId = id.GetString();
                    }
                    if (type == "library.changed" && Find(message, "libraryId") is { } library)
                    {
                        Seen.AddOrUpdate(library, 1, (_, n) => n + 1);
                    }
                    if (type == "job.finished" && Find(message, "jobId") is { } job)
                    {
                        JobsFinished.AddOrUpdate(job, 1, (_, n) => n + 1);
                    }
                }
            }
            catch (Exception exception) when (exception is WebSocketException or OperationCanceledException or IOException or JsonException)
            {
            }
            if (Connected && !stop.IsCancellationRequested)
            {
                samples.Enqueue(new Sample(clock.Elapsed, "live", 0, false));
            }
            Connected = false;
            try
            {
                await Task.Delay(500, stop);
            }
            catch (OperationCanceledException)
            {
            }
        }
    }

    private static Guid? Find(JsonElement element, string name)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            return null;
        }
        foreach (var property in element.EnumerateObject())
        {
            if (property.NameEquals(name) && property.Value.TryGetGuid(out var value))
            {
                return value;
            }
            if (Find(property.Value, name) is { } nested)
            {
                return nested;
            }
        }
        return null;
    }
}
