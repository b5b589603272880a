using DocAIche.ServiceDefaults.Quotas;
using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using Microsoft.Extensions.Options;

namespace DocAIche.WebSocket.LiveUpdates;

/// <summary>
/// The live-updates endpoint: a socket of its own (<see cref="LiveUpdateOptions.Port"/>) whose
/// connections are WebSockets from the first byte after the handshake. The HTTP server keeps the
/// service's health and OpenAPI endpoints; a connection here holds only its socket, the WebSocket
/// over it and <see cref="LiveConnections"/>'s record of it, so an idle client costs a few KiB and
/// a send is one write to the socket from the publishing thread. The open-files limit is the only
/// cap on how many it holds, less a reserve the process keeps for itself (<see cref="DescriptorBudget"/>).
/// </summary>
public sealed partial class LiveListener(
    IOptions<LiveUpdateOptions> options,
    LiveConnections connections,
    LiveAuthenticator authenticator,
    ConnectionLimits limits,
    TenantQuotaReader quotas,
    LiveQuotaAlerts quotaAlerts,
    LiveMetrics metrics,
    ILogger<LiveListener> logger) : BackgroundService
{
    private readonly CancellationTokenSource hardStop = new();
    private Socket? listener;
    private long lastAcceptFailureLog;
    private int capacity = int.MaxValue;
    private int open;

    /// <summary>The port clients connect to (the configured one, or the one picked when it is 0).</summary>
    public int Port { get; private set; }

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        // Bound before the host reports started: a port in use fails start-up instead of leaving a service nobody can reach.
        var settings = options.Value;
        var address = IPAddress.Parse(settings.ListenAddress);
        listener = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        if (address.Equals(IPAddress.IPv6Any))
        {
            listener.DualMode = true;
        }
        listener.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        listener.Bind(new IPEndPoint(address, settings.Port));
        listener.Listen(settings.AcceptBacklog);
        Port = ((IPEndPoint)listener.LocalEndPoint!).Port;
        capacity = DescriptorBudget.Connections(settings.ReservedDescriptors);
        LogListening(logger, settings.ListenAddress, Port, capacity);
        return base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await listener!.AcceptAsync(stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            catch (SocketException exception)
            {
                // The open-files limit, reached despite the reserve (the process opened more of its own): new clients wait in the backlog.
                LogAcceptFailure(exception);
                await Task.Delay(TimeSpan.FromMilliseconds(50), CancellationToken.None);
                continue;
            }
            _ = ServeAsync(client, stoppingToken);
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        listener?.Close();
        await base.StopAsync(cancellationToken);
        // Every client is told to reconnect (elsewhere) and given a moment to answer; the rest are cut.
        await connections.GoingAwayAsync(options.Value.ShutdownGrace, cancellationToken);
        await hardStop.CancelAsync();
    }

    public override void Dispose()
    {
        listener?.Dispose();
        hardStop.Dispose();
        base.Dispose();
    }

    private async Task ServeAsync(Socket socket, CancellationToken stopping)
    {
        LiveCaller? admitted = null;
        var held = Interlocked.Increment(ref open);
        try
        {
            socket.NoDelay = true;
            (admitted, var subProtocol) = await OpenAsync(socket, full: held > capacity, stopping);
            if (admitted is null)
            {
                return;
            }
            using var webSocket = System.Net.WebSockets.WebSocket.CreateFromStream(new NetworkStream(socket, ownsSocket: true), new WebSocketCreationOptions
            {
                IsServer = true,
                SubProtocol = subProtocol,
                KeepAliveInterval = options.Value.KeepAliveInterval,
            });
            await connections.ServeAsync(webSocket, admitted, hardStop.Token);
        }
        catch (Exception exception) when (exception is SocketException or IOException or OperationCanceledException or ObjectDisposedException or WebSocketException)
        {
            // The client went away, or this instance is stopping.
        }
        catch (Exception exception)
        {
            // Whatever one connection does, the others and the process carry on.
            LogConnectionFailed(logger, exception);
        }
        finally
        {
            if (admitted is not null)
            {
                limits.Release(admitted);
            }
            socket.Dispose();
            Interlocked.Decrement(ref open);
        }
    }

    /// <summary>
    /// The opening handshake, answered with a 101 (the caller, admitted, and the subprotocol) or a
    /// refusal (no caller). A method of its own so that the request and its token are let go once
    /// answered, not kept by the connection's state for as long as it lives.
    /// </summary>
    private async Task<(LiveCaller? Caller, string? SubProtocol)> OpenAsync(Socket socket, bool full, CancellationToken stopping)
    {
        if (full)
        {
            await RefuseAsync(socket, new HandshakeRefusal(503, "Instance full",
                "This instance holds as many live connections as its open-files limit allows; connect again.", [new("Retry-After", "5")]));
            return (null, null);
        }
        var (request, refusal) = await ReadHandshakeAsync(socket, stopping);
        if (request is null)
        {
            await RefuseAsync(socket, refusal);
            return (null, null);
        }
        var (caller, unauthorised) = await authenticator.AuthenticateAsync(request.Token);
        if (caller is null)
        {
            await RefuseAsync(socket, unauthorised);
            return (null, null);
        }
        var quota = (await quotas.ForAsync(caller.TenantId, stopping)).LiveConnections;
        var (admission, held) = await limits.AdmitAsync(caller, quota);
        if (admission == Admission.Admitted)
        {
            quotaAlerts.Admitted(caller.TenantId, held, quota);
        }
        else
        {
            await RefuseAsync(socket, admission == Admission.TenantFull && quota is { } limit && limit <= options.Value.MaxConnectionsPerTenant
                ? new HandshakeRefusal(429, "Quota exceeded",
                    $"The tenant's {QuotaNames.LiveConnections} quota is {limit} live connections and they are all open; close one first, or ask an operator to raise the quota.",
                    [new("Retry-After", "5")], QuotaNames.LiveConnections, limit)
                : new HandshakeRefusal(429, "Too many connections",
                    "You (or your tenant) hold as many live connections as allowed; close one first."));
            return (null, null);
        }
        try
        {
            await socket.SendAsync(LiveHandshake.Accept(request), SocketFlags.None, stopping);
        }
        catch
        {
            limits.Release(caller);
            throw;
        }
        return (caller, request.OffersProtocol ? LiveProtocol.Name : null);
    }

    /// <summary>The request head, read within <see cref="LiveUpdateOptions.HandshakeTimeout"/> (a client that sends it slowly holds nothing for long).</summary>
    private async Task<(UpgradeRequest? Request, HandshakeRefusal? Refusal)> ReadHandshakeAsync(Socket socket, CancellationToken stopping)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        deadline.CancelAfter(options.Value.HandshakeTimeout);
        var buffer = ArrayPool<byte>.Shared.Rent(LiveHandshake.MaxRequestBytes);
        try
        {
            var received = 0;
            while (true)
            {
                if (received == LiveHandshake.MaxRequestBytes)
                {
                    return (null, new HandshakeRefusal(431, "Request header fields too large", $"The opening request may be at most {LiveHandshake.MaxRequestBytes} bytes."));
                }
                int read;
                try
                {
                    read = await socket.ReceiveAsync(buffer.AsMemory(received, LiveHandshake.MaxRequestBytes - received), SocketFlags.None, deadline.Token);
                }
                catch (OperationCanceledException) when (!stopping.IsCancellationRequested)
                {
                    return (null, new HandshakeRefusal(408, "Request timeout", "The opening request did not arrive in time."));
                }
                if (read == 0)
                {
                    return (null, null);
                }
                received += read;
                var end = LiveHandshake.EndOfHead(buffer.AsSpan(0, received));
                if (end < 0)
                {
                    continue;
                }
                // A client may send frames only once it has the 101 (RFC 6455 section 4.1).
                return end == received
                    ? LiveHandshake.Parse(buffer.AsSpan(0, end))
                    : (null, new HandshakeRefusal(400, "Bad request", "Data arrived before the handshake completed."));
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private async Task RefuseAsync(Socket socket, HandshakeRefusal? refusal)
    {
        if (refusal is null)
        {
            return;
        }
        metrics.Refused(refusal.Status);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await socket.SendAsync(refusal.ToResponse(), SocketFlags.None, timeout.Token);
        socket.Shutdown(SocketShutdown.Send);
    }

    private void LogAcceptFailure(SocketException exception)
    {
        var now = Environment.TickCount64;
        if (now - Interlocked.Read(ref lastAcceptFailureLog) > 10_000)
        {
            Interlocked.Exchange(ref lastAcceptFailureLog, now);
            LogCannotAccept(logger, connections.Count, exception.SocketErrorCode, exception);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Live updates listening on {Address}:{Port}, for up to {Capacity} connections (the open-files limit less a reserve)")]
    private static partial void LogListening(ILogger logger, string address, int port, int capacity);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cannot accept live connections ({Held} held): {Error}; retrying")]
    private static partial void LogCannotAccept(ILogger logger, int held, SocketError error, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "A live connection failed")]
    private static partial void LogConnectionFailed(ILogger logger, Exception exception);
}
