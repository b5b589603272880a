using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Options;

namespace DocAIche.WebSocket.LiveUpdates;

/// <summary>
/// The WebSocket clients connected to this instance. Each has a bounded send queue: an event is
/// serialised once and queued for every client of its tenant, and a client whose queue is full is
/// closed instead of slowing the others or holding memory without bound.
/// </summary>
public sealed partial class LiveConnections(IOptions<LiveUpdateOptions> options, ILogger<LiveConnections> logger)
{
    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);
    private readonly ConcurrentDictionary<long, LiveConnection> _connections = new();
    private long _nextId;

    public int Count => _connections.Count;

    /// <summary>Serves one accepted WebSocket until it closes.</summary>
    public async Task ServeAsync(System.Net.WebSockets.WebSocket socket, string tenantId, CancellationToken cancellationToken)
    {
        var queue = Channel.CreateBounded<ReadOnlyMemory<byte>>(new BoundedChannelOptions(options.Value.SendQueueLength)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.DropWrite,
        });
        var connection = new LiveConnection(Interlocked.Increment(ref _nextId), tenantId, socket, queue);
        _connections[connection.Id] = connection;
        using var closing = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        try
        {
            var sending = SendAsync(connection, closing.Token);
            await ReceiveAsync(connection, closing.Token);
            queue.Writer.TryComplete();
            await closing.CancelAsync();
            await sending;
        }
        finally
        {
            _connections.TryRemove(connection.Id, out _);
        }

        // Still open here means this instance is stopping: tell the client to reconnect (elsewhere).
        if (socket.State == WebSocketState.Open)
        {
            await CloseQuietlyAsync(socket, WebSocketCloseStatus.EndpointUnavailable, "server going away; reconnect");
        }
    }

    /// <summary>Queues an event for every client of the tenant.</summary>
    public void Publish(string tenantId, LiveEvent liveEvent)
    {
        var payload = JsonSerializer.SerializeToUtf8Bytes(liveEvent, JsonOptions);
        foreach (var connection in _connections.Values)
        {
            if (connection.TenantId != tenantId)
            {
                continue;
            }
            if (!connection.Queue.Writer.TryWrite(payload))
            {
                LogSlowClient(logger, connection.Id);
                connection.Queue.Writer.TryComplete(new SlowClientException());
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
        catch (SlowClientException)
        {
            await CloseQuietlyAsync(connection.Socket, WebSocketCloseStatus.PolicyViolation, "slow consumer: events were not read in time");
        }
        catch (Exception exception) when (exception is OperationCanceledException or WebSocketException)
        {
            // The client went away.
        }
    }

    private async Task ReceiveAsync(LiveConnection connection, CancellationToken cancellationToken)
    {
        var buffer = new byte[options.Value.MaxClientMessageBytes];
        var socket = connection.Socket;
        try
        {
            while (socket.State == WebSocketState.Open)
            {
                var received = 0;
                ValueWebSocketReceiveResult result;
                do
                {
                    if (received == buffer.Length)
                    {
                        await CloseQuietlyAsync(socket, WebSocketCloseStatus.MessageTooBig, "message too big");
                        return;
                    }
                    result = await socket.ReceiveAsync(buffer.AsMemory(received), cancellationToken);
                    received += result.Count;
                }
                while (!result.EndOfMessage && result.MessageType != WebSocketMessageType.Close);

                if (result.MessageType == WebSocketMessageType.Close)
                {
                    await CloseQuietlyAsync(socket, WebSocketCloseStatus.NormalClosure, "bye");
                    return;
                }
                // Client messages (subscriptions) arrive with the live-updates protocol; until then they are read and ignored.
            }
        }
        catch (Exception exception) when (exception is OperationCanceledException or WebSocketException)
        {
            // Closed underneath us; nothing to tell the client.
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

    private sealed record LiveConnection(long Id, string TenantId, System.Net.WebSockets.WebSocket Socket, Channel<ReadOnlyMemory<byte>> Queue);

    private sealed class SlowClientException : Exception;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Live connection {ConnectionId} fell behind; closing it")]
    private static partial void LogSlowClient(ILogger logger, long connectionId);
}
