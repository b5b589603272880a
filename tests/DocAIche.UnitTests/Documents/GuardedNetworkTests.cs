using DocAIche.ServiceDefaults.Networking;
using System.Net;
using DocAIche.Documents.Fetching;

namespace DocAIche.UnitTests.Documents;

/// <summary>Address literals only: nothing here resolves a name or opens a connection.</summary>
public sealed class GuardedNetworkTests
{
    private static GuardedNetwork Network(params string[] allowed) =>
        new([.. allowed], TimeSpan.FromSeconds(30));

    [Theory]
    [InlineData("169.254.169.254")]
    [InlineData("10.1.2.3")]
    [InlineData("127.0.0.2")]
    [InlineData("[::ffff:169.254.169.254]")]
    [InlineData("[fd00:ec2::254]")]
    public async Task A_refused_address_literal_is_refused_before_any_connection(string host)
    {
        using var network = Network("127.0.0.1/32");

        var refusal = await Assert.ThrowsAsync<BlockedAddressException>(() => network.ResolveAsync(host, CancellationToken.None));

        Assert.StartsWith("Refused", refusal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_allowed_loopback_address_passes()
    {
        using var network = Network("127.0.0.1/32");

        Assert.Equal([IPAddress.Loopback], await network.ResolveAsync("127.0.0.1", CancellationToken.None));
    }

    [Fact]
    public void A_source_url_with_a_refused_literal_is_named_at_once()
    {
        using var network = Network();

        Assert.Contains("link-local", network.LiteralRefusal(new Uri("http://169.254.169.254/latest/meta-data/")), StringComparison.Ordinal);
        Assert.Null(network.LiteralRefusal(new Uri("https://docs.example.test/")));
    }

    [Fact]
    public void The_refusal_is_found_inside_an_http_failure()
    {
        var refusal = new BlockedAddressException("h", IPAddress.Parse("10.0.0.1"), "private network");

        Assert.Same(refusal, GuardedNetwork.Refusal(new HttpRequestException("x", new IOException("y", refusal))));
    }
}
