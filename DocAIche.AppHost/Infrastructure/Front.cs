using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace DocAIche.AppHost.Infrastructure;

/// <summary>The one address in front of several gateway instances (the HA profile), and its HAProxy configuration.</summary>
internal sealed class Front(int port, IReadOnlyList<int> gatewayPorts)
{
    public int Port => port;

    public ReferenceExpression Url => ReferenceExpression.Create($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}");

    public int GatewayPort(int instance) => gatewayPorts[instance];

    /// <summary>
    /// HTTP mode, so WebSocket upgrades pass and a connection refused by one gateway is retried on
    /// another before any byte reaches the caller. Only connection failures are retried: a request a
    /// gateway received may have been acted on (writes take an Idempotency-Key for that).
    /// </summary>
    public string Configuration()
    {
        var config = new StringBuilder();
        config.Append(CultureInfo.InvariantCulture, $"""
            global
                # Two descriptors per connection, within this machine's limit of 20,000.
                maxconn 9000

            defaults
                mode http
                timeout connect 2s
                timeout client 5m
                timeout server 5m
                timeout tunnel 1h
                timeout http-request 15s
                timeout http-keep-alive 15s
                retries 2
                option redispatch 1
                retry-on conn-failure
                # A caller that gives up is gone for the gateway too: its request stops there, and a
                # keyed write it abandoned does not hold its key while the caller retries.
                option abortonclose

            frontend public
                bind 127.0.0.1:{port}
                monitor-uri /front/alive
                default_backend gateways

            backend gateways
                balance roundrobin
                option httpchk GET /alive
                http-check expect status 200
                default-server inter 1s fall 2 rise 2

            """);
        for (var i = 0; i < gatewayPorts.Count; i++)
        {
            config.Append(CultureInfo.InvariantCulture, $"    server gateway-{i + 1} 127.0.0.1:{gatewayPorts[i]} check\n");
        }
        return config.ToString();
    }
}

/// <summary>A free loopback port, for a front asked to run on "any port" (tests).</summary>
internal static class FreePort
{
    public static int Pick()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
