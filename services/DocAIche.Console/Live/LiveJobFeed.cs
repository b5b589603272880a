using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using DocAIche.Console.Api;
using DocAIche.Console.Session;
using DocAIche.ServiceDefaults.Authentication;
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

/// <summary>
/// The signed-in person's ingestion jobs as they change, for the pages of one circuit: the console
/// itself holds a WebSocket to the gateway's <c>/ws</c> with the person's token (which never reaches
/// the browser), subscribed to <c>jobs</c>, and tells the listening pages. The connection is opened by
/// the first listener, closed when the last one leaves, and opened again (with a fresh token) when it
/// drops; after such a gap a page reloads what it shows, since events may have been missed.
/// </summary>
public sealed partial class LiveJobFeed(
    ConsoleTokens tokens, IOptions<ConsoleOptions> console, IOptions<DocAIcheAuthenticationOptions> authentication, ILogger<LiveJobFeed> logger)
    : IAsyncDisposable
{
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(15);
    private readonly Lock gate = new();
    private readonly List<Listener> listeners = [];
    private CancellationTokenSource? running;
    private Task? loop;

    /// <summary>Where the connection stands now.</summary>
    public LiveState State { get; private set; } = LiveState.Connecting;

    /// <summary>
    /// Starts telling <paramref name="changed"/> about every job change and <paramref name="stateChanged"/>
    /// about the connection (after a reconnection: reload, events may have been missed). Dispose the result to stop.
    /// </summary>
    public IDisposable Listen(Func<JobChange, Task> changed, Func<LiveState, Task> stateChanged)
    {
        var listener = new Listener(this, changed, stateChanged);
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
        var api = new Uri((console.Value.ApiUrl ?? authentication.Value.Issuer).TrimEnd('/') + "/");
        var socket = new UriBuilder(new Uri(api, "ws")) { Scheme = api.Scheme == Uri.UriSchemeHttps ? "wss" : "ws" };
        return socket.Uri;
    }

    private async Task RunAsync(CancellationToken stopping)
    {
        var backoff = TimeSpan.FromSeconds(1);
        var connectedBefore = false;
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
                    await SendAsync(socket, new { type = "subscribe", topic = "jobs" }, stopping);
                    await ReadAsync(socket, connectedBefore, stopping);
                    connectedBefore = true;
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
    private async Task ReadAsync(ClientWebSocket socket, bool reconnected, CancellationToken stopping)
    {
        var buffer = new byte[16 * 1024];
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
                    // After a gap the page reloads; Live tells it so when it was connected before.
                    await ChangeStateAsync(LiveState.Live, reconnected);
                    break;
                case "job.progressed" or "job.finished" when root.TryGetProperty("data", out var data):
                    await TellAsync(Change(data, type.GetString() == "job.finished"));
                    break;
                case "error":
                    LogRefused(logger, root.TryGetProperty("code", out var code) ? code.GetString() : null);
                    break;
            }
        }
    }

    /// <summary>A <c>job.progressed</c> or <c>job.finished</c> event's data as a change.</summary>
    public static JobChange Change(JsonElement data, bool finished)
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

    private async Task ChangeStateAsync(LiveState state, bool reconnected = false)
    {
        var changed = State != state || reconnected;
        State = state;
        if (!changed)
        {
            return;
        }
        foreach (var listener in Current())
        {
            await CallAsync(() => listener.StateChanged(state));
        }
    }

    private async Task TellAsync(JobChange change)
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

    private sealed class Listener(LiveJobFeed feed, Func<JobChange, Task> changed, Func<LiveState, Task> stateChanged) : IDisposable
    {
        public Func<JobChange, Task> Changed => changed;

        public Func<LiveState, Task> StateChanged => stateChanged;

        public void Dispose() => feed.Remove(this);
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "A console live connection dropped ({Kind}: {Reason}); reconnecting")]
    private static partial void LogDropped(ILogger logger, string kind, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "A page did not take a live change")]
    private static partial void LogListenerFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Live updates refused the console's subscription ({Code})")]
    private static partial void LogRefused(ILogger logger, string? code);
}
