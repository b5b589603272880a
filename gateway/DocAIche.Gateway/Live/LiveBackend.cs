using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.ServiceDiscovery;

namespace DocAIche.Gateway.Live;

/// <summary>
/// The websocket service's live endpoint, found by service discovery like every other service the
/// gateway reaches (the configured name resolves through <c>services:websocket:live</c>; a plain
/// <c>http://host:port</c> passes through), and connected to with a socket of its own per client.
/// </summary>
public sealed class LiveBackend(ServiceEndpointResolver resolver, IOptions<LiveForwardingOptions> options)
{
    private const int HttpPort = 80;
    private int next;

    /// <summary>The configured address, for logs.</summary>
    public string Name => options.Value.Backend;

    /// <summary>
    /// A connected socket to one of the endpoints (taken in turn), and the Host its requests name. An
    /// instance that refuses the connection is passed over for the next one, so clients reconnecting
    /// after an instance stopped land on one that runs.
    /// </summary>
    public async Task<(Socket Socket, string Host)> ConnectAsync(CancellationToken cancellationToken)
    {
        var endpoints = (await resolver.GetEndpointsAsync(Name, cancellationToken)).Endpoints;
        if (endpoints.Count == 0)
        {
            throw new SocketException((int)SocketError.HostNotFound, $"Service discovery found no endpoint for {Name}.");
        }
        var first = (int)((uint)Interlocked.Increment(ref next) % (uint)endpoints.Count);
        for (var tried = 0; ; tried++)
        {
            try
            {
                return await ConnectAsync(endpoints[(first + tried) % endpoints.Count].EndPoint, cancellationToken);
            }
            catch (SocketException) when (tried + 1 < endpoints.Count && !cancellationToken.IsCancellationRequested)
            {
                // The next instance, then.
            }
        }
    }

    private static async Task<(Socket Socket, string Host)> ConnectAsync(EndPoint endpoint, CancellationToken cancellationToken)
    {
        var (address, host) = Address(endpoint);
        var socket = address is IPEndPoint ip
            ? new Socket(ip.AddressFamily, SocketType.Stream, ProtocolType.Tcp)
            // Dual mode: a name is tried at each address it resolves to, IPv4 or IPv6.
            : new Socket(SocketType.Stream, ProtocolType.Tcp);
        try
        {
            // Live events are small and must not wait for more bytes to fill a segment.
            socket.NoDelay = true;
            await socket.ConnectAsync(address, cancellationToken);
            return (socket, host);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>What to connect to and the Host header that names it, whichever form discovery answered in.</summary>
    internal static (EndPoint Address, string Host) Address(EndPoint endpoint) => endpoint switch
    {
        UriEndPoint { Uri: var uri } when uri.Scheme == Uri.UriSchemeHttp => uri.HostNameType == UriHostNameType.IPv6 || uri.HostNameType == UriHostNameType.IPv4
            ? Address(new IPEndPoint(IPAddress.Parse(uri.Host.Trim('[', ']')), uri.Port))
            : Address(new DnsEndPoint(uri.IdnHost, uri.Port)),
        IPEndPoint ip => (new IPEndPoint(ip.Address, PortOrDefault(ip.Port)),
            ip.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{ip.Address}]:{PortOrDefault(ip.Port)}" : $"{ip.Address}:{PortOrDefault(ip.Port)}"),
        DnsEndPoint dns => (new DnsEndPoint(dns.Host, PortOrDefault(dns.Port)), $"{dns.Host}:{PortOrDefault(dns.Port)}"),
        _ => throw new SocketException((int)SocketError.AddressFamilyNotSupported, $"The live endpoint must be a plain http:// address, not {endpoint}."),
    };

    private static int PortOrDefault(int port) => port > 0 ? port : HttpPort;
}
