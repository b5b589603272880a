using System.Net;
using System.Net.Sockets;

namespace DocAIche.ServiceDefaults.Networking;

/// <summary>
/// Decides whether the fetcher may connect to an address. Anything that is not public unicast is
/// refused unless an operator allowed its network, so a tenant cannot point a source at the cloud
/// metadata service, the database or another internal service.
/// </summary>
public sealed class NetworkGuard(IEnumerable<IPNetwork> allowed)
{
    private readonly IPNetwork[] allowed = [.. allowed];

    /// <summary>Networks an operator opened on purpose (an internal docs server, say).</summary>
    public IReadOnlyList<IPNetwork> Allowed => allowed;

    public bool IsPermitted(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (Restriction(address) is null)
        {
            return true;
        }

        // Sockets treat ::ffff:a.b.c.d as a.b.c.d, so an allowed IPv4 network covers its mapped form.
        var plain = address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
        foreach (var network in allowed)
        {
            if (network.Contains(plain))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Why the address is not public unicast, or null when it is.</summary>
    public static string? Restriction(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        return address.AddressFamily switch
        {
            AddressFamily.InterNetwork => RestrictionV4(address.GetAddressBytes()),
            AddressFamily.InterNetworkV6 => RestrictionV6(address.GetAddressBytes()),
            _ => "not an IP address",
        };
    }

    /// <summary>Networks in CIDR form ("10.1.0.0/16") or single addresses ("127.0.0.1").</summary>
    /// <exception cref="FormatException">A value is neither; the message names it.</exception>
    /// <summary>Whether every value is an address or a CIDR range (for options validation).</summary>
    public static bool AreValidRanges(IEnumerable<string> cidrs)
    {
        try
        {
            FromRanges(cidrs);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    public static NetworkGuard FromRanges(IEnumerable<string> cidrs)
    {
        ArgumentNullException.ThrowIfNull(cidrs);
        var networks = new List<IPNetwork>();
        foreach (var raw in cidrs)
        {
            var value = raw?.Trim() ?? "";
            if (value.Contains('/', StringComparison.Ordinal))
            {
                if (!IPNetwork.TryParse(value, out var network))
                {
                    throw new FormatException($"'{raw}' is not a network in CIDR form (like 10.0.0.0/8).");
                }

                // "10.0.0.1/8" is ambiguous (the host or its network?), so it is refused rather than guessed.
                if (!network.BaseAddress.Equals(IPAddress.Parse(value[..value.IndexOf('/', StringComparison.Ordinal)])))
                {
                    throw new FormatException($"'{raw}' has bits set after the prefix; the network is {network}.");
                }

                networks.Add(network);
            }
            else if (IPAddress.TryParse(value, out var single) && value.Length > 0)
            {
                networks.Add(new IPNetwork(single, single.AddressFamily == AddressFamily.InterNetwork ? 32 : 128));
            }
            else
            {
                throw new FormatException($"'{raw}' is not an IP address or a network in CIDR form.");
            }
        }

        return new NetworkGuard(networks);
    }

    private static string? RestrictionV4(ReadOnlySpan<byte> b)
    {
        uint a = (uint)(b[0] << 24 | b[1] << 16 | b[2] << 8 | b[3]);
        return a switch
        {
            0 => "unspecified",
            // Linux connects 0.x.x.x to the local host.
            _ when In(a, 0x00000000, 8) => "this network",
            _ when In(a, 0x0A000000, 8) => "private network",
            _ when In(a, 0x64400000, 10) => "carrier-grade NAT",
            _ when In(a, 0x7F000000, 8) => "loopback",
            _ when In(a, 0xA9FE0000, 16) => "link-local (includes cloud metadata)",
            _ when In(a, 0xAC100000, 12) => "private network",
            _ when In(a, 0xC0000000, 24) => "IETF protocol assignments",
            _ when In(a, 0xC0000200, 24) => "documentation/benchmark range",
            _ when In(a, 0xC0586300, 24) => "6to4 relay anycast",
            _ when In(a, 0xC0A80000, 16) => "private network",
            _ when In(a, 0xC6120000, 15) => "documentation/benchmark range",
            _ when In(a, 0xC6336400, 24) => "documentation/benchmark range",
            _ when In(a, 0xCB007100, 24) => "documentation/benchmark range",
            _ when In(a, 0xE0000000, 4) => "multicast",
            0xFFFFFFFF => "broadcast",
            _ when In(a, 0xF0000000, 4) => "reserved",
            _ => null,
        };
    }

    private static bool In(uint address, uint network, int prefix) => (address & (uint.MaxValue << (32 - prefix))) == network;

    private static string? RestrictionV6(byte[] b)
    {
        var high = (ulong)b[0] << 56 | (ulong)b[1] << 48 | (ulong)b[2] << 40 | (ulong)b[3] << 32 | (ulong)b[4] << 24 | (ulong)b[5] << 16 | (ulong)b[6] << 8 | b[7];
        var low = (ulong)b[8] << 56 | (ulong)b[9] << 48 | (ulong)b[10] << 40 | (ulong)b[11] << 32 | (ulong)b[12] << 24 | (ulong)b[13] << 16 | (ulong)b[14] << 8 | b[15];

        if (high == 0 && low == 0)
        {
            return "unspecified";
        }

        if (high == 0 && low == 1)
        {
            return "loopback";
        }

        // Forms that carry an IPv4 address: the stack, a translator or a relay may deliver the
        // packet to that IPv4 address, so it is judged instead.
        if (high == 0 && (low >> 32) is 0x0000_FFFF or 0)
        {
            return Embedded(b, 12); // IPv4-mapped ::ffff:a.b.c.d and IPv4-compatible ::a.b.c.d
        }

        if (high == 0x0064_FF9B_0000_0000 && low >> 32 == 0)
        {
            return Embedded(b, 12); // NAT64 64:ff9b::/96
        }

        if (high >> 48 == 0x2002)
        {
            return Embedded(b, 2); // 6to4 2002:aabb:ccdd::/48
        }

        if (high >> 32 == 0x2001_0000)
        {
            // Teredo keeps the client's IPv4 address inverted in the last 32 bits.
            byte[] client = [(byte)~b[12], (byte)~b[13], (byte)~b[14], (byte)~b[15]];
            return RestrictionV4(client);
        }

        return high switch
        {
            _ when high >> 16 == 0x0064_FF9B_0001 => "local-use NAT64",
            0x0100_0000_0000_0000 => "discard-only",
            _ when high >> 57 == 0b111_1110 => "unique local",
            _ when high >> 54 == 0b11_1111_1010 => "link-local",
            _ when high >> 54 == 0b11_1111_1011 => "site-local",
            _ when high >> 56 == 0xFF => "multicast",
            _ when high >> 32 == 0x2001_0DB8 => "documentation/benchmark range",
            _ when high >> 16 == 0x2001_0002_0000 => "documentation/benchmark range",
            _ when high >> 44 == 0x3_FFF0 => "documentation/benchmark range",
            _ when high >> 36 is 0x200_1001 or 0x200_1002 => "ORCHID",
            // Only 2000::/3 is allocated for global unicast.
            _ when high >> 61 != 1 => "reserved",
            _ => null,
        };
    }

    private static string? Embedded(byte[] bytes, int offset) => RestrictionV4(bytes.AsSpan(offset, 4));
}
