using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using DocAIche.Console.Api;
using DocAIche.Console.Components;
using DocAIche.Console.Session;
using DocAIche.ServiceDefaults.Authentication;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.Extensions.Options;

namespace DocAIche.Console.Live;

/// <summary>Where a page's live connection stands.</summary>
public enum LiveState
{
    /// <summary>Nobody on the page listens yet, or the connection is being opened.</summary>
    Connecting,

    /// <summary>Subscribed: changes arrive as they happen.</summary>
    Live,

    /// <summary>The connection dropped (an instance stopped, the network failed); trying again.</summary>
    Reconnecting,

    /// <summary>The session has ended; signing in again brings live updates back.</summary>
    SignedOut,
}

/// <summary>One live event: its type (<c>job.progressed</c>, <c>security.alert</c>…) and its data.</summary>
public sealed record LiveMessage(string Type, JsonElement Data);

/// <summary>An ingestion job's state and counters as a live event told them.</summary>
public sealed record JobChange(
    Guid JobId, Guid SourceId, string State, int Discovered, int Fetched, int Processed, int Skipped, int Failed, int Chunks, bool Finished, string? Error,
    int? DocumentsChanged = null, int? DocumentsRemoved = null)
{
    /// <summary>The job with these state and counters (the rest as it was).</summary>
    public Job ApplyTo(Job job) => job with
    {
        State = State, Discovered = Discovered, Fetched = Fetched, Processed = Processed, Skipped = Skipped, Failed = Failed, Chunks = Chunks,
        Error = Error ?? job.Error,
        DocumentsChanged = DocumentsChanged ?? job.DocumentsChanged, DocumentsRemoved = DocumentsRemoved ?? job.DocumentsRemoved,
    };
}

/// <summary>A security alert as the live feed told it.</summary>
public sealed record SecurityAlert(Guid AlertId, string Kind, string Subject, int Count, string Summary, DateTimeOffset RaisedAt);

/// <summary>
/// The live events of the signed-in person's tenant, for the pages of one circuit: the console itself
/// holds a WebSocket to the gateway's <c>/ws</c> with the person's token (which never reaches the
/// browser), subscribed to <c>jobs</c> (and to <c>alerts</c> for the roles that may see them), and
/// tells the listening pages. The connection is opened by the first listener, closed when the last one
/// leaves, and opened again (with a fresh token) when it drops; after such a gap a page reloads what
/// it shows, since events may have been missed.
/// </summary>
public sealed partial class LiveFeed(
    ConsoleTokens tokens, AuthenticationStateProvider authentication, IOptions<ConsoleOptions> console,
    IOptions<DocAIcheAuthenticationOptions> identity, ILogger<LiveFeed> logger)
    : IAsyncDisposable
{
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(15);
    private readonly Lock gate = new();
    private readonly List<Listener> listeners = [];
    private CancellationTokenSource? running;
    private Task? loop;

    /// <summary>Where the connection stands now.</summary>
    public LiveState State { get; private set; } = LiveState.Connecting;

    /// <summary>The roles that see security alerts (the websocket service refuses the topic to others).</summary>
    private static readonly string[] AlertRoles = ConsoleRoles.Auditors.Split(',');

    /// <summary>
    /// Starts telling <paramref name="changed"/> about every event, <paramref name="stateChanged"/> about
    /// the connection, and <paramref name="resumed"/> when it becomes live, first or again after a gap
    /// (reload: events may have been missed while it was not). Dispose the result to stop.
    /// </summary>
    public IDisposable Listen(Func<LiveMessage, Task> changed, Func<LiveState, Task>? stateChanged = null, Func<Task>? resumed = null)
    {
        var listener = new Listener(this, changed, stateChanged ?? (_ => Task.CompletedTask), resumed ?? (() => Task.CompletedTask));
        lock (gate)
        {
            listeners.Add(listener);
            if (running is null)
            {
                State = LiveState.Connecting;
                running = new CancellationTokenSource();
                loop = RunAsync(running.Token);
            }
        }
        return listener;
    }

    public async ValueTask DisposeAsync()
    {
        Task? stopping;
        lock (gate)
        {
            listeners.Clear();
            running?.Cancel();
            stopping = loop;
            running = null;
        }
        if (stopping is not null)
        {
            await stopping.ConfigureAwait(false);
        }
    }

    private void Remove(Listener listener)
    {
        lock (gate)
        {
            listeners.Remove(listener);
            if (listeners.Count == 0 && running is not null)
            {
                running.Cancel();
                running = null;
            }
        }
    }

    private Uri Address()
    {
        var api = new Uri((console.Value.ApiUrl ?? identity.Value.Issuer).TrimEnd('/') + "/");
        var socket = new UriBuilder(new Uri(api, "ws")) { Scheme = api.Scheme == Uri.UriSchemeHttps ? "wss" : "ws" };
        return socket.Uri;
    }

    private async Task RunAsync(CancellationToken stopping)
    {
        var backoff = TimeSpan.FromSeconds(1);
        try
        {
            while (!stopping.IsCancellationRequested)
            {
                var token = await tokens.AccessTokenAsync(stopping);
                if (token is null)
                {
                    await ChangeStateAsync(LiveState.SignedOut);
                    return;
                }
                try
                {
                    using var socket = new ClientWebSocket();
                    socket.Options.SetRequestHeader("Authorization", $"Bearer {token}");
                    socket.Options.KeepAliveInterval = TimeSpan.FromSeconds(30);
                    using (var connecting = CancellationTokenSource.CreateLinkedTokenSource(stopping))
                    {
                        connecting.CancelAfter(TimeSpan.FromSeconds(10));
                        await socket.ConnectAsync(Address(), connecting.Token);
                    }
                    var user = (await authentication.GetAuthenticationStateAsync()).User;
                    if (DocAIcheRoles.ReaderRoles.Any(user.IsInRole))
                    {
                        await SendAsync(socket, new { type = "subscribe", topic = "jobs" }, stopping);
                    }
                    if (AlertRoles.Any(user.IsInRole))
                    {
                        await SendAsync(socket, new { type = "subscribe", topic = "alerts" }, stopping);
                    }
                    await ReadAsync(socket, stopping);
                    backoff = TimeSpan.FromSeconds(1);
                }
                catch (Exception exception) when (exception is WebSocketException or IOException or OperationCanceledException or JsonException
                    && !stopping.IsCancellationRequested)
                {
                    LogDropped(logger, exception.GetType().Name, exception.Message);
                }
                if (stopping.IsCancellationRequested)
                {
                    return;
                }
                await ChangeStateAsync(LiveState.Reconnecting);
                await Task.Delay(backoff + TimeSpan.FromMilliseconds(Random.Shared.Next(250)), stopping);
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
    }

    /// <summary>Reads until the server closes; the subscription's acknowledgement makes the page live.</summary>
    private async Task ReadAsync(ClientWebSocket socket, CancellationToken stopping)
    {
        var buffer = new byte[4 * 1024];
        using var message = new MemoryStream();
        while (socket.State == WebSocketState.Open)
        {
            message.SetLength(0);
            WebSocketReceiveResult received;
            do
            {
                received = await socket.ReceiveAsync(buffer, stopping);
                if (received.MessageType == WebSocketMessageType.Close)
                {
                    return;
                }
                message.Write(buffer, 0, received.Count);
            }
            while (!received.EndOfMessage);

            using var document = JsonDocument.Parse(message.ToArray());
            var root = document.RootElement;
            switch (root.TryGetProperty("type", out var type) ? type.GetString() : null)
            {
                case "subscribed":
                    // Pages reload on becoming live: events may have been missed before or in a gap.
                    await ChangeStateAsync(LiveState.Live);
                    break;
                case { } name when root.TryGetProperty("data", out var data):
                    await TellAsync(new LiveMessage(name, data.Clone()));
                    break;
                case "error":
                    LogRefused(logger, root.TryGetProperty("code", out var code) ? code.GetString() : null);
                    break;
            }
        }
    }

    /// <summary>A <c>job.progressed</c> or <c>job.finished</c> event as a change; null for any other event.</summary>
    public static JobChange? JobChangeOf(LiveMessage message) =>
        message.Type is "job.progressed" or "job.finished" ? Change(message.Data, message.Type == "job.finished") : null;

    /// <summary>A <c>security.alert</c> event as an alert; null for any other event.</summary>
    public static SecurityAlert? AlertOf(LiveMessage message)
    {
        if (message.Type != "security.alert")
        {
            return null;
        }
        var data = message.Data;
        return new SecurityAlert(
            data.GetProperty("alertId").GetGuid(), data.GetProperty("kind").GetString()!, data.GetProperty("subject").GetString() ?? "",
            data.GetProperty("count").GetInt32(), data.TryGetProperty("summary", out var summary) ? summary.GetString() ?? "" : "",
            data.GetProperty("raisedAt").GetDateTimeOffset());
    }

    private static JobChange Change(JsonElement data, bool finished)
    {
        var counters = data.GetProperty("counters");
        int Count(string name) => counters.TryGetProperty(name, out var value) ? value.GetInt32() : 0;
        return new JobChange(
            data.GetProperty("jobId").GetGuid(), data.GetProperty("sourceId").GetGuid(), data.GetProperty("state").GetString()!.ToLowerInvariant(),
            Count("discovered"), Count("fetched"), Count("processed"), Count("skipped"), Count("failed"), Count("chunks"), finished,
            data.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.String ? error.GetString() : null,
            data.TryGetProperty("documentsChanged", out var changed) ? changed.GetInt32() : null,
            data.TryGetProperty("documentsRemoved", out var removed) ? removed.GetInt32() : null);
    }

    private static Task SendAsync(ClientWebSocket socket, object message, CancellationToken cancellationToken) =>
        socket.SendAsync(JsonSerializer.SerializeToUtf8Bytes(message, DocAIcheApi.Json), WebSocketMessageType.Text, true, cancellationToken);

    private Listener[] Current()
    {
        lock (gate)
        {
            return [.. listeners];
        }
    }

    private async Task ChangeStateAsync(LiveState state)
    {
        var changed = State != state;
        // Pages load what they show while the connection opens: whatever changed before the
        // subscription held was not told, so becoming live (first time or again) means reload.
        var resumed = state == LiveState.Live && State != LiveState.Live;
        State = state;
        if (!changed)
        {
            return;
        }
        foreach (var listener in Current())
        {
            await CallAsync(() => listener.StateChanged(state));
            if (resumed)
            {
                await CallAsync(listener.Resumed);
            }
        }
    }

    private async Task TellAsync(LiveMessage change)
    {
        foreach (var listener in Current())
        {
            await CallAsync(() => listener.Changed(change));
        }
    }

    /// <summary>A page that fails to take a change (its circuit just ended) does not end the others' feed.</summary>
    private async Task CallAsync(Func<Task> call)
    {
        try
        {
            await call();
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            LogListenerFailed(logger, exception);
        }
    }

    private sealed class Listener(LiveFeed feed, Func<LiveMessage, Task> changed, Func<LiveState, Task> stateChanged, Func<Task> resumed) : IDisposable
    {
        public Func<LiveMessage, Task> Changed => changed;

        public Func<LiveState, Task> StateChanged => stateChanged;

        public Func<Task> Resumed => resumed;

        public void Dispose() => feed.Remove(this);
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "A console live connection dropped ({Kind}: {Reason}); reconnecting")]
    private static partial void LogDropped(ILogger logger, string kind, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "A page did not take a live change")]
    private static partial void LogListenerFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Live updates refused the console's subscription ({Code})")]
    private static partial void LogRefused(ILogger logger, string? code);
}
