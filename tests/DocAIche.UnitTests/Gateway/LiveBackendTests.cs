using System.ComponentModel.DataAnnotations;
using System.Net;
using System.Net.Sockets;
using DocAIche.Gateway.Live;
using Microsoft.Extensions.ServiceDiscovery;

namespace DocAIche.UnitTests.Gateway;

public sealed class LiveBackendTests
{
    public static TheoryData<EndPoint, EndPoint, string> DiscoveredForms => new()
    {
        // From configuration (services__websocket__live__0), as the AppHost writes it.
        { new UriEndPoint(new Uri("http://localhost:5123")), new DnsEndPoint("localhost", 5123), "localhost:5123" },
        { new UriEndPoint(new Uri("http://127.0.0.1:5123")), new IPEndPoint(IPAddress.Loopback, 5123), "127.0.0.1:5123" },
        { new UriEndPoint(new Uri("http://[::1]:5123")), new IPEndPoint(IPAddress.IPv6Loopback, 5123), "[::1]:5123" },
        { new UriEndPoint(new Uri("http://localhost")), new DnsEndPoint("localhost", 80), "localhost:80" },
        // Passed through when nothing is configured for the name (a plain http://host:port).
        { new DnsEndPoint("localhost", 8081), new DnsEndPoint("localhost", 8081), "localhost:8081" },
        { new IPEndPoint(IPAddress.Loopback, 0), new IPEndPoint(IPAddress.Loopback, 80), "127.0.0.1:80" },
    };

    [Theory]
    [MemberData(nameof(DiscoveredForms))]
    public void Every_form_discovery_answers_in_becomes_an_address_and_the_host_that_names_it(EndPoint discovered, EndPoint address, string host)
    {
        var (connectTo, named) = LiveBackend.Address(discovered);

        Assert.Equal(address, connectTo);
        Assert.Equal(host, named);
    }

    [Fact]
    public void An_endpoint_that_is_not_plain_http_is_refused() =>
        Assert.Throws<SocketException>(() => LiveBackend.Address(new UriEndPoint(new Uri("https://localhost:5123"))));

    [Theory]
    [InlineData("http://_live.websocket", true)]
    [InlineData("http://127.0.0.1:8081", true)]
    [InlineData("http://websocket-live:8081/", true)]
    [InlineData("https://websocket-live:8081", false)]
    [InlineData("ws://websocket-live:8081", false)]
    [InlineData("http://websocket-live:8081/ws", false)]
    [InlineData("websocket-live:8081", false)]
    [InlineData("", false)]
    public void The_backend_must_be_a_plain_http_address(string backend, bool valid)
    {
        var options = new LiveForwardingOptions { Backend = backend };

        Assert.Equal(valid, Validator.TryValidateObject(options, new ValidationContext(options), [], validateAllProperties: true));
    }
}
