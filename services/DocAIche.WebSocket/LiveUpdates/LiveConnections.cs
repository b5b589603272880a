using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.WebSockets;
using System.Text.Json;
using Microsoft.Extensions.Options;

namespace DocAIche.WebSocket.LiveUpdates;

/// <summary>
/// The WebSocket clients connected to this instance and the live-updates protocol they speak
/// (see <see cref="ClientMessage"/>). An event is serialised once and queued for every subscribed
/// client of its tenant. A client's messages go out one send at a time, started by whoever queues
/// to an idle client (no send loop waits on an idle connection); a client with too many waiting is
/// closed instead of slowing the others or holding memory without bound. Publishing and
/// subscribing take one lock, so a subscription with a last event id replays exactly what it missed.
/// </summary>
public sealed partial class LiveConnections(IOptions<LiveUpdateOptions> options, TimeProvider time, ILogger<LiveConnections> logger)
{
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<long, LiveConnection>> byTenant = new(StringComparer.Ordinal);
    private readonly Lock publishing = new();
    private readonly ReplayBuffer replay = new(options.Value.ReplayEvents, options.Value.ReplayWindow);
    private long nextId;
    private long sequence;
    private int count;

    public int Count => Volatile.Read(ref count);

    /// <summary>Raised after a publish with the number of clients it was queued for (for metrics).</summary>
    public event Action<int>? Delivered;

    /// <summary>An event reached its subscribers' send queues this long after it happened.</summary>
    public event Action<TimeSpan>? DeliveredAfter;

    /// <summary>Raised when a client is cut off for falling behind.</summary>
    public event Action? SlowClientCut;

    /// <summary>Serves one accepted WebSocket until it closes (or <paramref name="cancellationToken"/> cuts it).</summary>
    public async Task ServeAsync(System.Net.WebSockets.WebSocket socket, LiveCaller caller, CancellationToken cancellationToken)
    {
        var connection = new LiveConnection(Interlocked.Increment(ref nextId), caller, socket, options.Value.ClientMessagesPerSecond);
        var tenantConnections = byTenant.GetOrAdd(connection.TenantId, _ => new ConcurrentDictionary<long, LiveConnection>());
        tenantConnections[connection.Id] = connection;
        Interlocked.Increment(ref count);
        try
        {
            Enqueue(connection, Welcome);
            await ReceiveAsync(connection, cancellationToken);
        }
        finally
        {
            tenantConnections.TryRemove(connection.Id, out _);
            Interlocked.Decrement(ref count);
        }

        // Nothing more is queued; let the send in progress finish (briefly) before the socket goes.
        Task pump;
        lock (connection)
        {
            connection.Closed = true;
            pump = connection.Pump;
        }
        try
        {
            await pump.WaitAsync(TimeSpan.FromSeconds(5), CancellationToken.None);
        }
        catch (TimeoutException)
        {
            socket.Abort();
        }
    }

    /// <summary>
    /// This instance is stopping: every client gets a "going away" close (1001, reconnect elsewhere)
    /// and <paramref name="grace"/> to answer it; those still connected then are cut.
    /// </summary>
    public async Task GoingAwayAsync(TimeSpan grace, CancellationToken cancellationToken)
    {
        var all = byTenant.Values.SelectMany(tenant => tenant.Values).ToList();
        foreach (var connection in all)
        {
            lock (connection)
            {
                connection.Closed = true;
                connection.Pending = null;
            }
        }
        var closing = all.Select(c => CloseQuietlyAsync(c.Socket, WebSocketCloseStatus.EndpointUnavailable, "server going away; reconnect")).ToList();
        var waited = Stopwatch.StartNew();
        try
        {
            await Task.WhenAll(closing).WaitAsync(grace, cancellationToken);
            while (Count > 0 && waited.Elapsed < grace)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(50), cancellationToken);
            }
        }
        catch (Exception exception) when (exception is TimeoutException or OperationCanceledException)
        {
        }
        foreach (var connection in all)
        {
            connection.Socket.Abort();
        }
    }

    /// <summary>
    /// Ends every connection of a subject whose access was revoked (a deprovisioned person, a revoked
    /// key): a policy-violation close (1008) now, and the socket cut if it does not close within the
    /// grace. Returns how many were ended. Subjects are unique across tenants (ids), so no tenant is named.
    /// </summary>
    public int Revoke(string subject)
    {
        var ended = byTenant.Values.SelectMany(tenant => tenant.Values).Where(c => c.Caller.Subject == subject).ToList();
        foreach (var connection in ended)
        {
            lock (connection)
            {
                connection.Closed = true;
                connection.Pending = null;
            }
            _ = EndRevokedAsync(connection.Socket);
        }
        return ended.Count;
    }

    private static async Task EndRevokedAsync(System.Net.WebSockets.WebSocket socket)
    {
        await CloseQuietlyAsync(socket, WebSocketCloseStatus.PolicyViolation, "access revoked");
        await Task.Delay(TimeSpan.FromSeconds(5));
        socket.Abort();
    }

    /// <summary>
    /// Queues an event for every client of the tenant subscribed to its topic, and keeps it for replay;
    /// an event whose id the replay buffer still holds is a redelivery and is not sent again.
    /// <paramref name="occurredAt"/> (when the event happened in its service) measures delivery lag.
    /// </summary>
    public void Publish(string tenantId, string? jobId, LiveEvent liveEvent, DateTimeOffset? occurredAt = null)
    {
        var payload = JsonSerializer.SerializeToUtf8Bytes(liveEvent, LiveProtocol.Json);
        List<LiveConnection>? idle = null;
        var queued = 0;
        lock (publishing)
        {
            var published = new PublishedEvent(++sequence, liveEvent.Id, tenantId, liveEvent.Topic, jobId, payload, time.GetUtcNow());
            // A redelivered event (same id) was sent already: its clients get it once.
            if (!replay.Add(published) || !byTenant.TryGetValue(tenantId, out var connections))
            {
                return;
            }
            foreach (var connection in connections.Values)
            {
                if (!connection.Wants(published))
                {
                    continue;
                }
                queued++;
                if (Queue(connection, payload))
                {
                    (idle ??= []).Add(connection);
                }
            }
        }
        if (queued > 0)
        {
            Delivered?.Invoke(queued);
            if (occurredAt is { } at)
            {
                DeliveredAfter?.Invoke(time.GetUtcNow() - at);
            }
        }
        if (idle is null)
        {
            return;
        }

        // Sends to idle clients start outside the lock (their order is already fixed), spread over
        // every core when there are many: a fan-out to 10,000 clients is 10,000 socket writes.
        if (idle.Count < ParallelSendThreshold)
        {
            foreach (var connection in idle)
            {
                StartSending(connection, payload);
            }
            return;
        }
        Parallel.ForEach(System.Collections.Concurrent.Partitioner.Create(0, idle.Count, Math.Max(ParallelSendThreshold / 2, idle.Count / (Environment.ProcessorCount * 4))),
            range =>
            {
                for (var i = range.Item1; i < range.Item2; i++)
                {
                    StartSending(idle[i], payload);
                }
            });
    }

    private const int ParallelSendThreshold = 512;

    /// <summary>Queues a message and, for an idle client, starts sending it here.</summary>
    private void Enqueue(LiveConnection connection, ReadOnlyMemory<byte> payload)
    {
        if (Queue(connection, payload))
        {
            StartSending(connection, payload);
        }
    }

    private static void StartSending(LiveConnection connection, ReadOnlyMemory<byte> payload) =>
        connection.Pump = PumpAsync(connection, payload);

    /// <summary>
    /// Queues a message for one client; true when the client was idle and the caller must start
    /// sending it (<see cref="StartSending"/>) — usually completing at once, as the socket takes it:
    /// no thread hop and no idle send loop per connection. A client with
    /// <see cref="LiveUpdateOptions.SendQueueLength"/> messages waiting is cut off.
    /// </summary>
    private bool Queue(LiveConnection connection, ReadOnlyMemory<byte> payload)
    {
        lock (connection)
        {
            if (connection.Closed || connection.Overflowed)
            {
                return false;
            }
            if (connection.Waiting >= options.Value.SendQueueLength)
            {
                connection.Overflowed = true;
                connection.Pending?.Clear();
                LogSlowClient(logger, connection.Id);
                SlowClientCut?.Invoke();
                // The send in progress may never finish (the client stopped reading): give it a grace period, then cut.
                _ = CutIfStillSendingAsync(connection);
                return false;
            }
            if (connection.Sending)
            {
                (connection.Pending ??= new Queue<ReadOnlyMemory<byte>>()).Enqueue(payload);
                return false;
            }
            connection.Sending = true;
            return true;
        }
    }

    /// <summary>Sends <paramref name="first"/>, then whatever queued meanwhile; ends when the queue is empty.</summary>
    private static async Task PumpAsync(LiveConnection connection, ReadOnlyMemory<byte> first)
    {
        var next = first;
        try
        {
            while (true)
            {
                await connection.Socket.SendAsync(next, WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);
                lock (connection)
                {
                    if (connection.Overflowed)
                    {
                        break;
                    }
                    if (connection.Pending is not { Count: > 0 } pending)
                    {
                        connection.Sending = false;
                        // An idle connection keeps no queue.
                        connection.Pending = null;
                        return;
                    }
                    next = pending.Dequeue();
                }
            }
            await CloseQuietlyAsync(connection.Socket, WebSocketCloseStatus.PolicyViolation, "slow consumer: events were not read in time");
            connection.Socket.Abort();
        }
        catch (Exception exception) when (exception is OperationCanceledException or WebSocketException or ObjectDisposedException or IOException or InvalidOperationException)
        {
            // The client went away (or was cut off, or told to go away).
        }
        finally
        {
            lock (connection)
            {
                connection.Sending = false;
                connection.Pending = null;
            }
        }
    }

    private async Task CutIfStillSendingAsync(LiveConnection connection)
    {
        await Task.Delay(options.Value.SlowClientGrace, time);
        bool stuck;
        lock (connection)
        {
            stuck = connection.Sending;
        }
        if (stuck || connection.Socket.State == WebSocketState.Open)
        {
            await CloseQuietlyAsync(connection.Socket, WebSocketCloseStatus.PolicyViolation, "slow consumer: events were not read in time");
            connection.Socket.Abort();
        }
    }

    private static readonly ReadOnlyMemory<byte> Welcome = Serialize(new { type = "welcome", protocol = LiveProtocol.Name, topics = LiveTopics.All });

    private static ReadOnlyMemory<byte> Serialize(object message) => JsonSerializer.SerializeToUtf8Bytes(message, LiveProtocol.Json);

    private void Handle(LiveConnection connection, ClientMessage message)
    {
        switch (message.Type)
        {
            case "ping":
                Enqueue(connection, Serialize(new { type = "pong", at = time.GetUtcNow() }));
                break;
            case "subscribe" when message.Topic is { } topic && LiveTopics.All.Contains(topic):
                if (!connection.Caller.MaySubscribe(topic))
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
        catch (Exception exception) when (exception is OperationCanceledException or WebSocketException or IOException)
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
        catch (Exception exception) when (exception is OperationCanceledException or WebSocketException or InvalidOperationException or ObjectDisposedException)
        {
        }
    }

    private sealed class LiveConnection(long id, LiveCaller caller, System.Net.WebSockets.WebSocket socket, int messagesPerSecond)
    {
        private readonly double refillPerTick = (double)messagesPerSecond / Stopwatch.Frequency;
        private readonly double capacity = messagesPerSecond * 2.0;
        private double tokens = messagesPerSecond * 2.0;
        private long lastRefill = Stopwatch.GetTimestamp();

        public long Id { get; } = id;

        public LiveCaller Caller { get; } = caller;

        public string TenantId => Caller.TenantId;

        public System.Net.WebSockets.WebSocket Socket { get; } = socket;

        // The send state below is guarded by locking the connection.

        /// <summary>Messages waiting behind the one being sent; null while idle.</summary>
        public Queue<ReadOnlyMemory<byte>>? Pending { get; set; }

        /// <summary>Messages not yet handed to the socket.</summary>
        public int Waiting => Pending?.Count ?? 0;

        /// <summary>Whether a send is in progress (its pump drains <see cref="Pending"/>).</summary>
        public bool Sending { get; set; }

        /// <summary>The latest pump, for a closing connection to wait on.</summary>
        public Task Pump { get; set; } = Task.CompletedTask;

        /// <summary>Its queue overflowed: it is being cut off.</summary>
        public bool Overflowed { get; set; }

        /// <summary>It stopped receiving: nothing more is queued.</summary>
        public bool Closed { get; set; }

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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Live connection {ConnectionId} fell behind; closing it")]
    private static partial void LogSlowClient(ILogger logger, long connectionId);
}
