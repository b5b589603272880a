using System.Buffers;
using System.Net.Sockets;

namespace DocAIche.Gateway.Live;

/// <summary>
/// The bytes of one forwarded live connection, both ways, until either side closes or the gateway
/// stops. A live connection is idle nearly all its life, so an idle one holds no buffer: each
/// direction waits with a zero-byte read and only then rents a chunk from the shared pool for the
/// bytes that arrived, giving it back once they are written. The gateway reads nothing of what
/// passes: the WebSocket is between the client and the service.
/// </summary>
public static partial class LiveTunnel
{
    /// <summary>The most one read takes; a live event fits in one or two.</summary>
    public const int ChunkBytes = 4096;

    /// <summary>
    /// Runs until the connection ends, and never throws. The service's socket is closed at the end;
    /// the client's stream is left to its owner (Kestrel closes the connection when the request ends).
    /// </summary>
    public static async Task RunAsync(Stream client, Socket service, ILogger logger, CancellationToken stopping)
    {
        // No timer: the service pings an idle connection, and either side's end or the gateway's stop ends both.
        using var ending = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        try
        {
            var toService = ClientToServiceAsync(client, service, ending, logger);
            await ServiceToClientAsync(service, client, logger, ending.Token);
            await ending.CancelAsync();
            await toService;
        }
        finally
        {
            service.Dispose();
        }
    }

    /// <summary>What the service sends, to the client; when the service closes, so does the client's connection.</summary>
    private static async Task ServiceToClientAsync(Socket service, Stream client, ILogger logger, CancellationToken ending)
    {
        try
        {
            while (true)
            {
                // Waits for bytes without holding a buffer.
                await service.ReceiveAsync(Memory<byte>.Empty, SocketFlags.None, ending);
                var chunk = ArrayPool<byte>.Shared.Rent(ChunkBytes);
                try
                {
                    var read = await service.ReceiveAsync(chunk.AsMemory(0, ChunkBytes), SocketFlags.None, ending);
                    if (read == 0)
                    {
                        return;
                    }
                    await client.WriteAsync(chunk.AsMemory(0, read), ending);
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(chunk);
                }
            }
        }
        catch (Exception exception) when (IsConnectionEnd(exception))
        {
            // The service or the client went away, or the gateway is stopping.
        }
        catch (Exception exception)
        {
            LogTunnelFailed(logger, exception);
        }
    }

    /// <summary>
    /// What the client sends, to the service. When the client is done sending, the service is told
    /// (its WebSocket then closes, and the other direction ends with it); when the client's
    /// connection fails, both directions end at once.
    /// </summary>
    private static async Task ClientToServiceAsync(Stream client, Socket service, CancellationTokenSource ending, ILogger logger)
    {
        var cancellation = ending.Token;
        try
        {
            while (true)
            {
                // Waits for bytes without holding a buffer.
                _ = await client.ReadAsync(Memory<byte>.Empty, cancellation);
                var chunk = ArrayPool<byte>.Shared.Rent(ChunkBytes);
                try
                {
                    var read = await client.ReadAsync(chunk.AsMemory(0, ChunkBytes), cancellation);
                    if (read == 0)
                    {
                        service.Shutdown(SocketShutdown.Send);
                        return;
                    }
                    var sent = 0;
                    while (sent < read)
                    {
                        sent += await service.SendAsync(chunk.AsMemory(sent, read - sent), SocketFlags.None, cancellation);
                    }
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(chunk);
                }
            }
        }
        catch (Exception exception) when (IsConnectionEnd(exception))
        {
            await ending.CancelAsync();
        }
        catch (Exception exception)
        {
            LogTunnelFailed(logger, exception);
            await ending.CancelAsync();
        }
    }

    private static bool IsConnectionEnd(Exception exception) =>
        exception is OperationCanceledException or IOException or SocketException or ObjectDisposedException;

    [LoggerMessage(Level = LogLevel.Error, Message = "A forwarded live connection failed")]
    private static partial void LogTunnelFailed(ILogger logger, Exception exception);
}
