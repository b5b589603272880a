using System.Globalization;
using System.Text;

namespace DocAIche.Documents.Crawling;

/// <summary>
/// robots.txt rules for one crawler, per RFC 9309: the group for our product token (else "*"),
/// longest matching rule wins, Allow wins a tie.
/// </summary>
internal sealed class RobotsRules
{
    /// <summary>RFC 9309 lets crawlers stop parsing after 500 KiB.</summary>
    public const int MaxParsedCharacters = 500 * 1024;

    private static readonly TimeSpan MaxCrawlDelay = TimeSpan.FromDays(1);

    private readonly IReadOnlyList<Rule> rules;

    private RobotsRules(IReadOnlyList<Rule> rules, TimeSpan? crawlDelay, IReadOnlyList<Uri> sitemaps)
    {
        this.rules = rules;
        CrawlDelay = crawlDelay;
        Sitemaps = sitemaps;
    }

    /// <summary>No robots.txt (or a 4xx for it): everything may be crawled.</summary>
    public static RobotsRules AllowAll { get; } = new([], null, []);

    /// <summary>robots.txt could not be read (a 5xx): RFC 9309 says assume complete disallow.</summary>
    public static RobotsRules DisallowAll { get; } = new([new Rule("/", Allow: false)], null, []);

    public TimeSpan? CrawlDelay { get; }

    public IReadOnlyList<Uri> Sitemaps { get; }

    /// <param name="text">The file's content.</param>
    /// <param name="userAgent">Our User-Agent; its product token ("DocAIche" in "DocAIche/1.0 (+url)") picks the group.</param>
    /// <param name="robotsUrl">Where the file came from, to resolve relative sitemap URLs.</param>
    public static RobotsRules Parse(string text, string userAgent, Uri robotsUrl)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(userAgent);
        ArgumentNullException.ThrowIfNull(robotsUrl);
        if (text.Length > MaxParsedCharacters)
        {
            text = text[..MaxParsedCharacters];
        }

        var token = ProductToken(userAgent);
        var groups = new List<Group>();
        var sitemaps = new List<Uri>();
        var seenSitemaps = new HashSet<string>(StringComparer.Ordinal);
        Group? current = null;
        var lastWasAgent = false;

        foreach (var rawLine in text.Split('\n'))
        {
            var line = rawLine;
            var hash = line.IndexOf('#', StringComparison.Ordinal);
            if (hash >= 0)
            {
                line = line[..hash];
            }

            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                continue;
            }

            var key = line[..colon].Trim().TrimStart('\uFEFF').ToLowerInvariant();
            var value = line[(colon + 1)..].Trim();
            switch (key)
            {
                case "user-agent" or "useragent" or "user agent":
                    // Consecutive user-agent lines share the group that follows them.
                    if (current is null || !lastWasAgent)
                    {
                        current = new Group();
                        groups.Add(current);
                    }

                    current.Agents.Add(ProductToken(value));
                    lastWasAgent = true;
                    continue;
                case "allow" or "disallow" or "dissallow" or "disalow":
                    // An empty Disallow allows everything, so it adds no rule.
                    if (current is not null && value.Length > 0)
                    {
                        current.Rules.Add(new Rule(Normalise(value), Allow: key == "allow"));
                    }

                    break;
                case "crawl-delay" or "crawldelay":
                    if (current is not null && current.CrawlDelay is null
                        && double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds)
                        && double.IsFinite(seconds) && seconds >= 0)
                    {
                        // A hostile value must not overflow TimeSpan.
                        current.CrawlDelay = seconds >= MaxCrawlDelay.TotalSeconds ? MaxCrawlDelay : TimeSpan.FromSeconds(seconds);
                    }

                    break;
                case "sitemap" or "site-map":
                    if (Uri.TryCreate(robotsUrl, value, out var sitemap)
                        && (sitemap.Scheme == Uri.UriSchemeHttp || sitemap.Scheme == Uri.UriSchemeHttps)
                        && seenSitemaps.Add(sitemap.AbsoluteUri))
                    {
                        sitemaps.Add(sitemap);
                    }

                    // Sitemap lines belong to no group and do not end one.
                    continue;
            }

            lastWasAgent = false;
        }

        var matching = groups.Where(g => g.Agents.Any(a => a.Length > 0 && a != "*" && Matches(token, a))).ToList();
        if (matching.Count > 0)
        {
            // The most specific token wins ("docaiche-preview" over "docaiche"); equal ones combine.
            var longest = matching.Max(g => g.Agents.Where(a => a != "*" && Matches(token, a)).Max(a => a.Length));
            matching = matching.Where(g => g.Agents.Any(a => a != "*" && Matches(token, a) && a.Length == longest)).ToList();
        }
        else
        {
            matching = groups.Where(g => g.Agents.Contains("*")).ToList();
        }

        return new RobotsRules(
            matching.SelectMany(g => g.Rules).ToList(),
            matching.Select(g => g.CrawlDelay).FirstOrDefault(d => d is not null),
            sitemaps);
    }

    public bool IsAllowed(Uri url)
    {
        ArgumentNullException.ThrowIfNull(url);
        var path = Normalise(url.IsAbsoluteUri ? url.PathAndQuery : url.OriginalString);
        if (path == "/robots.txt")
        {
            return true;
        }

        Rule? best = null;
        foreach (var rule in rules)
        {
            if (!IsMatch(rule.Pattern, path))
            {
                continue;
            }

            if (best is null || rule.Pattern.Length > best.Pattern.Length || (rule.Pattern.Length == best.Pattern.Length && rule.Allow))
            {
                best = rule;
            }
        }

        return best?.Allow ?? true;
    }

    /// <summary>The product token of a User-Agent value: letters, digits, '-' and '_', lowercased.</summary>
    private static string ProductToken(string userAgent)
    {
        var value = userAgent.Trim();
        if (value.StartsWith('*'))
        {
            return "*";
        }

        var end = 0;
        while (end < value.Length && (char.IsAsciiLetter(value[end]) || value[end] is '-' or '_'))
        {
            end++;
        }

        return value[..end].ToLowerInvariant();
    }

    /// <summary>A group token applies to our crawler if it is our token or a shorter, hyphen-separated family name.</summary>
    private static bool Matches(string ourToken, string groupToken) =>
        ourToken == groupToken || (ourToken.StartsWith(groupToken, StringComparison.Ordinal) && ourToken[groupToken.Length] == '-');

    /// <summary>
    /// One form for paths and patterns: percent-encoded unreserved characters decoded, other
    /// escapes in upper case, non-ASCII characters percent-encoded as UTF-8.
    /// </summary>
    internal static string Normalise(string path)
    {
        var output = new StringBuilder(path.Length);
        Span<byte> utf8 = stackalloc byte[4];
        for (var i = 0; i < path.Length; i++)
        {
            var c = path[i];
            if (c == '%' && i + 2 < path.Length && Uri.IsHexDigit(path[i + 1]) && Uri.IsHexDigit(path[i + 2]))
            {
                var decoded = (char)Convert.ToInt32(path.Substring(i + 1, 2), 16);
                if (char.IsAsciiLetterOrDigit(decoded) || decoded is '-' or '.' or '_' or '~')
                {
                    output.Append(decoded);
                }
                else
                {
                    output.Append('%').Append(char.ToUpperInvariant(path[i + 1])).Append(char.ToUpperInvariant(path[i + 2]));
                }

                i += 2;
            }
            else if (c > 0x7F)
            {
                var rune = char.IsSurrogatePair(path, i) ? new Rune(path[i], path[++i]) : Rune.IsValid(c) ? new Rune(c) : Rune.ReplacementChar;
                var written = rune.EncodeToUtf8(utf8);
                foreach (var b in utf8[..written])
                {
                    output.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
                }
            }
            else if (c == ' ')
            {
                output.Append("%20");
            }
            else
            {
                output.Append(c);
            }
        }

        return output.ToString();
    }

    /// <summary>
    /// Matches from the start of the path: '*' is any run of characters, a final '$' anchors the end.
    /// Greedy with one backtrack point, so linear in practice and never exponential.
    /// </summary>
    private static bool IsMatch(string pattern, string path)
    {
        // Without '$' a pattern is a prefix: the same as ending in '*'.
        var p = pattern.EndsWith('$') ? pattern.AsSpan(0, pattern.Length - 1) : (pattern + "*").AsSpan();
        int pi = 0, si = 0, star = -1, mark = 0;
        while (si < path.Length)
        {
            if (pi < p.Length && p[pi] == '*')
            {
                star = pi++;
                mark = si;
            }
            else if (pi < p.Length && p[pi] == path[si])
            {
                pi++;
                si++;
            }
            else if (star >= 0)
            {
                pi = star + 1;
                si = ++mark;
            }
            else
            {
                return false;
            }
        }

        while (pi < p.Length && p[pi] == '*')
        {
            pi++;
        }

        return pi == p.Length;
    }

    private sealed record Rule(string Pattern, bool Allow);

    private sealed class Group
    {
        public List<string> Agents { get; } = [];

        public List<Rule> Rules { get; } = [];

        public TimeSpan? CrawlDelay { get; set; }
    }
}
