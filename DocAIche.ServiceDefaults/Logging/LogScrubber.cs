using System.Net;
using System.Text.RegularExpressions;

namespace DocAIche.ServiceDefaults.Logging;

/// <summary>
/// The last line of defence for log text nobody classified (framework and library messages,
/// exception texts): emails, client addresses, bearer and JWT tokens and DocAIche API keys are
/// replaced before a line is written or exported. Loopback addresses stay: they are this machine.
/// </summary>
public static partial class LogScrubber
{
    public const string Email = "[email]";
    public const string Address = "[address]";
    public const string Token = "[token]";

    public static string Scrub(string text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return text;
        }
        text = BearerPattern().Replace(text, "Bearer " + Token);
        text = JwtPattern().Replace(text, Token);
        text = ApiKeyPattern().Replace(text, Token);
        text = EmailPattern().Replace(text, Email);
        text = IPv4Pattern().Replace(text, match => IPAddress.TryParse(match.Value, out var address) && IPAddress.IsLoopback(address) ? match.Value : Address);
        text = IPv6Pattern().Replace(text, match => IPAddress.TryParse(match.Value, out var address) && !IPAddress.IsLoopback(address) ? Address : match.Value);
        return text;
    }

    [GeneratedRegex(@"\bBearer\s+[A-Za-z0-9\-._~+/]+=*", RegexOptions.CultureInvariant)]
    private static partial Regex BearerPattern();

    [GeneratedRegex(@"\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*", RegexOptions.CultureInvariant)]
    private static partial Regex JwtPattern();

    [GeneratedRegex(@"\bdak_[A-Za-z0-9]{8,}", RegexOptions.CultureInvariant)]
    private static partial Regex ApiKeyPattern();

    [GeneratedRegex(@"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}", RegexOptions.CultureInvariant)]
    private static partial Regex EmailPattern();

    [GeneratedRegex(@"(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?![\d.])", RegexOptions.CultureInvariant)]
    private static partial Regex IPv4Pattern();

    // Full and compressed forms with at least three groups, so times (12:34:56) are not taken for addresses.
    [GeneratedRegex(@"(?<![0-9A-Fa-f:])(?:[0-9A-Fa-f]{1,4}:){3,7}[0-9A-Fa-f]{1,4}(?![0-9A-Fa-f:])|(?<![0-9A-Fa-f:])(?:[0-9A-Fa-f]{1,4}:){1,6}:(?:[0-9A-Fa-f]{1,4}:){0,5}[0-9A-Fa-f]{1,4}(?![0-9A-Fa-f:])", RegexOptions.CultureInvariant)]
    private static partial Regex IPv6Pattern();
}
