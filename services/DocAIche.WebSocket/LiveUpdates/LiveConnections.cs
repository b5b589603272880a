using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.WebSockets;
using System.Security.Claims;
using System.Text.Json;
using System.Threading.Channels;
using DocAIche.ServiceDefaults.Authentication;
using Microsoft.Extensions.Options;

namespace DocAIche.WebSocket.LiveUpdates;

/// <summary>
/// The WebSocket clients connected to this instance and the live-updates protocol they speak
/// (see <see cref="ClientMessage"/>). Each client has a bounded send queue: an event is serialised
/// once and queued for every subscribed client of its tenant, and a client whose queue is full is
/// closed instead of slowing the others or holding memory without bound. Publishing and
/// subscribing take one lock, so a subscription with a last event id replays exactly what it missed.
/// </summary>
public sealed partial class LiveConnections(IOptions<LiveUpdateOptions> options, TimeProvider time, ILogger<LiveConnections> logger)
{
    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<long, LiveConnection>> byTenant = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> perUser = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> perTenant = new(StringComparer.Ordinal);
    private readonly Lock admission = new();
    private readonly Lock publishing = new();
    private readonly ReplayBuffer replay = new(options.Value.ReplayEvents, options.Value.ReplayWindow);
    private long nextId;
    private long sequence;
    private int count;

    public int Count => Volatile.Read(ref count);

    /// <summary>Takes a place for the caller's next connection; false when the user or the tenant holds as many as allowed.</summary>
    public bool TryAdmit(ClaimsPrincipal user)
    {
        var (tenant, subject) = (user.GetTenantId(), user.GetSubject());
        lock (admission)
        {
            if (perUser.GetValueOrDefault(subject) >= options.Value.MaxConnectionsPerUser ||
                perTenant.GetValueOrDefault(tenant) >= options.Value.MaxConnectionsPerTenant)
            {
                return false;
            }
            perUser[subject] = perUser.GetValueOrDefault(subject) + 1;
            perTenant[tenant] = perTenant.GetValueOrDefault(tenant) + 1;
            return true;
        }
    }

    /// <summary>Gives back the place <see cref="TryAdmit"/> took.</summary>
    public void Release(ClaimsPrincipal user)
    {
        var (tenant, subject) = (user.GetTenantId(), user.GetSubject());
        lock (admission)
        {
            Decrement(perUser, subject);
            Decrement(perTenant, tenant);
        }

        static void Decrement(Dictionary<string, int> counts, string key)
        {
            if (counts.TryGetValue(key, out var value) && value > 1)
            {
                counts[key] = value - 1;
            }
            else
            {
                counts.Remove(key);
            }
        }
    }

    /// <summary>Serves one accepted WebSocket until it closes.</summary>
    public async Task ServeAsync(System.Net.WebSockets.WebSocket socket, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        var queue = Channel.CreateBounded<ReadOnlyMemory<byte>>(new BoundedChannelOptions(options.Value.SendQueueLength)
        {
            SingleReader = true,
            // Wait, not DropWrite: only then does TryWrite report a full queue (DropWrite silently drops and says true).
            FullMode = BoundedChannelFullMode.Wait,
        });
        using var connection = new LiveConnection(Interlocked.Increment(ref nextId), user, socket, queue, options.Value.ClientMessagesPerSecond);
        var tenantConnections = byTenant.GetOrAdd(connection.TenantId, _ => new ConcurrentDictionary<long, LiveConnection>());
        tenantConnections[connection.Id] = connection;
        Interlocked.Increment(ref count);
        using var closing = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        try
        {
            using var sendStop = closing.Token.Register(connection.SendCancellation.Cancel);
            var sending = SendAsync(connection, connection.SendCancellation.Token);
            Enqueue(connection, Serialize(new { type = "welcome", protocol = LiveProtocol.Name, topics = LiveTopics.All }));
            await ReceiveAsync(connection, closing.Token);
            queue.Writer.TryComplete();
            await closing.CancelAsync();
            await sending;
        }
        finally
        {
            tenantConnections.TryRemove(connection.Id, out _);
            Interlocked.Decrement(ref count);
        }

        // Still open here means this instance is stopping: tell the client to reconnect (elsewhere).
        if (socket.State == WebSocketState.Open)
        {
            await CloseQuietlyAsync(socket, WebSocketCloseStatus.EndpointUnavailable, "server going away; reconnect");
        }
    }

    /// <summary>Queues an event for every client of the tenant subscribed to its topic, and keeps it for replay.</summary>
    public void Publish(string tenantId, string? jobId, LiveEvent liveEvent)
    {
        var payload = JsonSerializer.SerializeToUtf8Bytes(liveEvent, JsonOptions);
        lock (publishing)
        {
            var published = new PublishedEvent(++sequence, liveEvent.Id, tenantId, liveEvent.Topic, jobId, payload, time.GetUtcNow());
            replay.Add(published);
            if (!byTenant.TryGetValue(tenantId, out var connections))
            {
                return;
            }
            foreach (var connection in connections.Values)
            {
                if (connection.Wants(published))
                {
                    Enqueue(connection, payload);
                }
            }
        }
    }

    private void Enqueue(LiveConnection connection, ReadOnlyMemory<byte> payload)
    {
        if (!connection.Queue.Writer.TryWrite(payload) && connection.Queue.Writer.TryComplete(new SlowClientException()))
        {
            LogSlowClient(logger, connection.Id);
            // The send in progress may never finish (the client stopped reading): give it a grace period, then cut.
            connection.Overflowed = true;
            connection.SendCancellation.CancelAfter(options.Value.SlowClientGrace);
        }
    }

    private static ReadOnlyMemory<byte> Serialize(object message) => JsonSerializer.SerializeToUtf8Bytes(message, JsonOptions);

    private void Handle(LiveConnection connection, ClientMessage message)
    {
        switch (message.Type)
        {
            case "ping":
                Enqueue(connection, Serialize(new { type = "pong", at = time.GetUtcNow() }));
                break;
            case "subscribe" when message.Topic is { } topic && LiveTopics.All.Contains(topic):
                if (!LiveTopics.MaySubscribe(connection.User, topic))
                {
                    Enqueue(connection, LiveProtocol.Error("forbidden", $"Your roles do not include the '{topic}' topic."));
                    break;
                }
                Subscribe(connection, topic, message.JobId, message.LastEventId);
                break;
            case "subscribe":
                Enqueue(connection, LiveProtocol.Error("unknown-topic", $"Topics are {string.Join(", ", LiveTopics.All)}."));
                break;
            case "unsubscribe" when message.Topic is { } topic:
                lock (publishing)
                {
                    connection.Subscriptions = connection.Subscriptions.Remove(topic);
                    Enqueue(connection, Serialize(new { type = "unsubscribed", topic }));
                }
                break;
            default:
                Enqueue(connection, LiveProtocol.Error("bad-message", "Messages are subscribe, unsubscribe or ping."));
                break;
        }
    }

    private void Subscribe(LiveConnection connection, string topic, string? jobId, string? lastEventId)
    {
        lock (publishing)
        {
            connection.Subscriptions = connection.Subscriptions.SetItem(topic, jobId);
            List<PublishedEvent>? missed = null;
            if (lastEventId is not null)
            {
                missed = replay.After(lastEventId, connection.TenantId, e => e.Topic == topic && (jobId is null || e.JobId == jobId));
            }
            Enqueue(connection, Serialize(new { type = "subscribed", topic, jobId, replayed = missed?.Count ?? 0 }));
            if (lastEventId is not null && missed is null)
            {
                Enqueue(connection, LiveProtocol.Error("replay-unavailable",
                    "The last event id is older than the replay window (or unknown here); read the current state from the API."));
            }
            foreach (var published in missed ?? [])
            {
                Enqueue(connection, published.Payload);
            }
        }
    }

    private static async Task SendAsync(LiveConnection connection, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var payload in connection.Queue.Reader.ReadAllAsync(cancellationToken))
            {
                await connection.Socket.SendAsync(payload, WebSocketMessageType.Text, endOfMessage: true, cancellationToken);
            }
        }
        catch (Exception exception) when (exception is SlowClientException || (exception is OperationCanceledException && connection.Overflowed))
        {
            await CloseQuietlyAsync(connection.Socket, WebSocketCloseStatus.PolicyViolation, "slow consumer: events were not read in time");
            connection.Socket.Abort();
        }
        catch (Exception exception) when (exception is OperationCanceledException or WebSocketException)
        {
            // The client went away.
        }
    }

    private async Task ReceiveAsync(LiveConnection connection, CancellationToken cancellationToken)
    {
        var socket = connection.Socket;
        byte[]? buffer = null;
        try
        {
            while (socket.State == WebSocketState.Open)
            {
                // An idle connection holds no receive buffer: wait for data with a zero-byte read, then rent one.
                var waited = await socket.ReceiveAsync(Memory<byte>.Empty, cancellationToken);
                if (waited.MessageType == WebSocketMessageType.Close)
                {
                    await CloseQuietlyAsync(socket, WebSocketCloseStatus.NormalClosure, "bye");
                    return;
                }
                buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(options.Value.MaxClientMessageBytes);
                var limit = options.Value.MaxClientMessageBytes;
                var received = 0;
                ValueWebSocketReceiveResult result;
                do
                {
                    if (received == limit)
                    {
                        await CloseQuietlyAsync(socket, WebSocketCloseStatus.MessageTooBig, "message too big");
                        return;
                    }
                    result = await socket.ReceiveAsync(buffer.AsMemory(received, limit - received), cancellationToken);
                    received += result.Count;
                }
                while (!result.EndOfMessage && result.MessageType != WebSocketMessageType.Close);

                if (result.MessageType == WebSocketMessageType.Close)
                {
                    await CloseQuietlyAsync(socket, WebSocketCloseStatus.NormalClosure, "bye");
                    return;
                }
                if (result.MessageType == WebSocketMessageType.Binary)
                {
                    await CloseQuietlyAsync(socket, WebSocketCloseStatus.InvalidMessageType, "the protocol is JSON text");
                    return;
                }
                if (!connection.TryTakeMessageToken(Stopwatch.GetTimestamp()))
                {
                    await CloseQuietlyAsync(socket, WebSocketCloseStatus.PolicyViolation, "too many messages");
                    return;
                }
                var message = LiveProtocol.Parse(buffer.AsSpan(0, received));
                System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
                buffer = null;
                if (message is null)
                {
                    await CloseQuietlyAsync(socket, WebSocketCloseStatus.InvalidPayloadData, "not a JSON protocol message");
                    return;
                }
                Handle(connection, message);
            }
        }
        catch (Exception exception) when (exception is OperationCanceledException or WebSocketException)
        {
            // Closed underneath us; nothing to tell the client.
        }
        finally
        {
            if (buffer is not null)
            {
                System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }

    private static async Task CloseQuietlyAsync(System.Net.WebSockets.WebSocket socket, WebSocketCloseStatus status, string reason)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
            {
                await socket.CloseOutputAsync(status, reason, timeout.Token);
            }
        }
        catch (Exception exception) when (exception is OperationCanceledException or WebSocketException)
        {
        }
    }

    private sealed class LiveConnection(long id, ClaimsPrincipal user, System.Net.WebSockets.WebSocket socket, Channel<ReadOnlyMemory<byte>> queue, int messagesPerSecond)
        : IDisposable
    {
        private readonly double refillPerTick = (double)messagesPerSecond / Stopwatch.Frequency;
        private readonly double capacity = messagesPerSecond * 2.0;
        private double tokens = messagesPerSecond * 2.0;
        private long lastRefill = Stopwatch.GetTimestamp();

        public long Id { get; } = id;

        public ClaimsPrincipal User { get; } = user;

        public string TenantId { get; } = user.GetTenantId();

        public System.Net.WebSockets.WebSocket Socket { get; } = socket;

        public Channel<ReadOnlyMemory<byte>> Queue { get; } = queue;

        /// <summary>Cancels the send loop: when the connection closes, or a grace period after its queue overflowed.</summary>
        public CancellationTokenSource SendCancellation { get; } = new();

        private volatile bool overflowed;

        public bool Overflowed
        {
            get => overflowed;
            set => overflowed = value;
        }

        public void Dispose() => SendCancellation.Dispose();

        /// <summary>Topic → job id filter (null: every job). Replaced whole, under the publish lock.</summary>
        public System.Collections.Immutable.ImmutableDictionary<string, string?> Subscriptions { get; set; } =
            System.Collections.Immutable.ImmutableDictionary<string, string?>.Empty;

        public bool Wants(PublishedEvent published) =>
            Subscriptions.TryGetValue(published.Topic, out var job) && (job is null || job == published.JobId);

        /// <summary>A token bucket on the receive loop (single reader, so no locking).</summary>
        public bool TryTakeMessageToken(long now)
        {
            tokens = Math.Min(capacity, tokens + ((now - lastRefill) * refillPerTick));
            lastRefill = now;
            if (tokens < 1)
            {
                return false;
            }
            tokens -= 1;
            return true;
        }
    }

    private sealed class SlowClientException : Exception;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Live connection {ConnectionId} fell behind; closing it")]
    private static partial void LogSlowClient(ILogger logger, long connectionId);
}
