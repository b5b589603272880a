using System.Net;
using System.Net.Sockets;

namespace DocAIche.ServiceDefaults.Networking;

/// <summary>A user-supplied URL led to an address the guard refuses.</summary>
public sealed class BlockedAddressException(string host, IPAddress address, string reason)
    : Exception($"Refused: {host} resolves to {address} ({reason}), which this service may not reach.")
{
    public IPAddress Address { get; } = address;
}

/// <summary>
/// The one way a service reaches an address a user gave it (the crawler, the Git fetcher, a tenant's
/// identity provider). Every host is resolved and every
/// address checked against <see cref="NetworkGuard"/> before a connection is made: at connect time
/// (so redirects and DNS changes between check and use are covered too) and on demand for callers
/// that hand the address to another program (git), which then must use exactly that address.
/// </summary>
public sealed class GuardedNetwork : IDisposable
{
    private readonly NetworkGuard guard;
    private readonly SocketsHttpHandler handler;

    /// <param name="allowedNetworks">The networks (CIDR) allowed besides public addresses.</param>
    /// <param name="requestTimeout">How long an HTTP request may take.</param>
    public GuardedNetwork(IEnumerable<string> allowedNetworks, TimeSpan requestTimeout)
    {
        guard = NetworkGuard.FromRanges(allowedNetworks);
        handler = new SocketsHttpHandler
        {
            // Redirects are followed by the caller itself (the crawler, one checked hop at a time), or not at all.
            AllowAutoRedirect = false,
            // A proxy would hide the real destination from the guard.
            UseProxy = false,
            UseCookies = false,
            AutomaticDecompression = DecompressionMethods.All,
            ConnectTimeout = TimeSpan.FromSeconds(10),
            PooledConnectionLifetime = TimeSpan.FromMinutes(2),
            MaxResponseHeadersLength = 64,
            MaxConnectionsPerServer = 16,
            ConnectCallback = ConnectAsync,
        };
        Http = new HttpClient(handler, disposeHandler: false) { Timeout = requestTimeout };
    }

    /// <summary>An HTTP client that cannot connect to a refused address.</summary>
    public HttpClient Http { get; }

    /// <summary>Why a URL whose host is an address literal may not be fetched; null when it may (or when the host is a name, checked at fetch time).</summary>
    public string? LiteralRefusal(Uri url) =>
        IPAddress.TryParse(url.IdnHost.TrimStart('[').TrimEnd(']'), out var address) && !guard.IsPermitted(address)
            ? $"{address} is {NetworkGuard.Restriction(address) ?? "not permitted"}; DocAIche does not fetch from it."
            : null;

    /// <summary>The host's addresses, all of them permitted; throws <see cref="BlockedAddressException"/> otherwise.</summary>
    public async Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken)
    {
        var bare = host.TrimStart('[').TrimEnd(']');
        var addresses = IPAddress.TryParse(bare, out var literal)
            ? [literal]
            : await Dns.GetHostAddressesAsync(bare, cancellationToken);
        if (addresses.Length == 0)
        {
            throw new SocketException((int)SocketError.HostNotFound);
        }
        // One refused address refuses the host: a DNS answer that mixes public and private addresses is an attack.
        foreach (var address in addresses)
        {
            if (!guard.IsPermitted(address))
            {
                throw new BlockedAddressException(host, address, NetworkGuard.Restriction(address) ?? "not permitted");
            }
        }
        return addresses;
    }

    private async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var addresses = await ResolveAsync(context.DnsEndPoint.Host, cancellationToken);
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(addresses, context.DnsEndPoint.Port, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>The refusal behind an HTTP failure, when that is what it was.</summary>
    public static BlockedAddressException? Refusal(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is BlockedAddressException blocked)
            {
                return blocked;
            }
        }
        return null;
    }

    public void Dispose()
    {
        Http.Dispose();
        handler.Dispose();
    }
}
