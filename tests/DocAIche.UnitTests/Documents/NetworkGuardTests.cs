using DocAIche.ServiceDefaults.Networking;
using System.Net;
using DocAIche.Documents.Fetching;

namespace DocAIche.UnitTests.Documents;

public sealed class NetworkGuardTests
{
    [Theory]
    [InlineData("0.0.0.0", "unspecified")]
    [InlineData("0.1.2.3", "this network")]
    [InlineData("10.0.0.1", "private network")]
    [InlineData("100.64.0.1", "carrier-grade NAT")]
    [InlineData("100.127.255.254", "carrier-grade NAT")]
    [InlineData("127.0.0.1", "loopback")]
    [InlineData("127.255.0.9", "loopback")]
    [InlineData("169.254.169.254", "link-local (includes cloud metadata)")]
    [InlineData("172.16.0.1", "private network")]
    [InlineData("172.31.255.255", "private network")]
    [InlineData("192.0.0.8", "IETF protocol assignments")]
    [InlineData("192.0.2.10", "documentation/benchmark range")]
    [InlineData("192.88.99.1", "6to4 relay anycast")]
    [InlineData("192.168.1.1", "private network")]
    [InlineData("198.18.0.1", "documentation/benchmark range")]
    [InlineData("198.19.255.1", "documentation/benchmark range")]
    [InlineData("198.51.100.7", "documentation/benchmark range")]
    [InlineData("203.0.113.5", "documentation/benchmark range")]
    [InlineData("224.0.0.1", "multicast")]
    [InlineData("239.255.255.250", "multicast")]
    [InlineData("240.0.0.1", "reserved")]
    [InlineData("255.255.255.255", "broadcast")]
    public void Special_purpose_IPv4_addresses_are_restricted(string address, string reason) =>
        Assert.Equal(reason, NetworkGuard.Restriction(IPAddress.Parse(address)));

    [Theory]
    [InlineData("8.8.8.8")]
    [InlineData("1.1.1.1")]
    [InlineData("100.63.255.255")]
    [InlineData("100.128.0.0")]
    [InlineData("172.15.255.255")]
    [InlineData("172.32.0.0")]
    [InlineData("192.0.1.1")]
    [InlineData("198.17.255.255")]
    [InlineData("198.20.0.0")]
    [InlineData("223.255.255.255")]
    [InlineData("2606:4700:4700::1111")]
    [InlineData("2a00:1450:4001:82b::200e")]
    public void Public_unicast_addresses_are_not_restricted(string address) =>
        Assert.Null(NetworkGuard.Restriction(IPAddress.Parse(address)));

    [Theory]
    [InlineData("::", "unspecified")]
    [InlineData("::1", "loopback")]
    [InlineData("fc00::1", "unique local")]
    [InlineData("fd12:3456:789a::1", "unique local")]
    [InlineData("fe80::1", "link-local")]
    [InlineData("febf::1", "link-local")]
    [InlineData("fec0::1", "site-local")]
    [InlineData("ff02::1", "multicast")]
    [InlineData("2001:db8::1", "documentation/benchmark range")]
    [InlineData("100::1", "discard-only")]
    [InlineData("4000::1", "reserved")]
    public void Special_purpose_IPv6_addresses_are_restricted(string address, string reason) =>
        Assert.Equal(reason, NetworkGuard.Restriction(IPAddress.Parse(address)));

    [Theory]
    [InlineData("::ffff:127.0.0.1", "loopback")]
    [InlineData("::ffff:169.254.169.254", "link-local (includes cloud metadata)")]
    [InlineData("::10.0.0.1", "private network")]
    [InlineData("64:ff9b::10.1.2.3", "private network")]
    [InlineData("64:ff9b::a9fe:a9fe", "link-local (includes cloud metadata)")]
    [InlineData("2002:7f00:1::", "loopback")]
    [InlineData("2002:c0a8:0101::1", "private network")]
    public void An_IPv4_address_embedded_in_IPv6_is_judged_as_itself(string address, string reason) =>
        Assert.Equal(reason, NetworkGuard.Restriction(IPAddress.Parse(address)));

    [Theory]
    [InlineData("::ffff:8.8.8.8")]
    [InlineData("64:ff9b::8.8.8.8")]
    [InlineData("2002:0808:0808::1")]
    public void An_embedded_public_IPv4_address_is_not_restricted(string address) =>
        Assert.Null(NetworkGuard.Restriction(IPAddress.Parse(address)));

    [Fact]
    public void With_no_allowed_networks_only_public_addresses_are_permitted()
    {
        var guard = new NetworkGuard([]);

        Assert.True(guard.IsPermitted(IPAddress.Parse("93.184.216.34")));
        Assert.False(guard.IsPermitted(IPAddress.Parse("127.0.0.1")));
        Assert.False(guard.IsPermitted(IPAddress.Parse("::ffff:10.0.0.5")));
        Assert.False(guard.IsPermitted(IPAddress.Parse("169.254.169.254")));
    }

    [Fact]
    public void An_allowed_network_opens_exactly_that_network()
    {
        var guard = NetworkGuard.FromRanges(["10.20.0.0/16", "fd00::/8"]);

        Assert.True(guard.IsPermitted(IPAddress.Parse("10.20.3.4")));
        Assert.True(guard.IsPermitted(IPAddress.Parse("fd00::5")));
        Assert.False(guard.IsPermitted(IPAddress.Parse("10.21.0.1")));
        Assert.False(guard.IsPermitted(IPAddress.Parse("169.254.169.254")));
    }

    [Fact]
    public void An_allowed_IPv4_network_covers_its_IPv4_mapped_form()
    {
        var guard = NetworkGuard.FromRanges(["127.0.0.1"]);

        Assert.True(guard.IsPermitted(IPAddress.Parse("127.0.0.1")));
        Assert.True(guard.IsPermitted(IPAddress.Parse("::ffff:127.0.0.1")));
        Assert.False(guard.IsPermitted(IPAddress.Parse("127.0.0.2")));
    }

    [Theory]
    [InlineData("not-an-address")]
    [InlineData("10.0.0.0/33")]
    [InlineData("10.0.0.1/8")]
    [InlineData("")]
    public void A_bad_range_is_refused_and_named(string range)
    {
        var error = Assert.Throws<FormatException>(() => NetworkGuard.FromRanges(["192.168.0.0/16", range]));

        Assert.Contains($"'{range}'", error.Message, StringComparison.Ordinal);
    }
}
