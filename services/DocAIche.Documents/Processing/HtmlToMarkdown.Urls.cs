using AngleSharp.Dom;
using AngleSharp.Html.Dom;

namespace DocAIche.Documents.Processing;

// Links and images resolved against the page's address, and what the page says about itself (base, canonical URL, title, links).
internal static partial class HtmlToMarkdown
{
    internal static Uri? ResolveHttp(Uri? baseUrl, string? href)
    {
        if (ResolveAny(baseUrl, href) is { } uri && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps))
        {
            return uri;
        }

        return null;
    }

    /// <summary>An absolute URI for an href, or null when it has none (relative with no base).</summary>
    internal static Uri? ResolveAny(Uri? baseUrl, string? href)
    {
        if (href is null)
        {
            return null;
        }

        // As browsers do: tabs and newlines inside a URL are ignored ("java\nscript:" is javascript:).
        var cleaned = href.Replace("\t", "", StringComparison.Ordinal).Replace("\n", "", StringComparison.Ordinal)
            .Replace("\r", "", StringComparison.Ordinal).Trim();
        if (cleaned.Length == 0)
        {
            return null;
        }

        if (HasScheme(cleaned))
        {
            return Uri.TryCreate(cleaned, UriKind.Absolute, out var absolute) ? absolute : null;
        }

        // Without a base, "/docs" would parse as file:///docs on Unix.
        return baseUrl is not null && Uri.TryCreate(baseUrl, cleaned, out var resolved) ? resolved : null;
    }

    internal static bool HasScheme(string value)
    {
        if (value.Length == 0 || !char.IsAsciiLetter(value[0]))
        {
            return false;
        }

        for (var i = 1; i < value.Length; i++)
        {
            var c = value[i];
            if (c == ':')
            {
                return true;
            }

            if (!char.IsAsciiLetterOrDigit(c) && c is not ('+' or '-' or '.'))
            {
                return false;
            }
        }

        return false;
    }

    internal static Uri WithoutFragment(Uri uri) =>
        uri.Fragment.Length == 0 && !uri.OriginalString.Contains('#', StringComparison.Ordinal) ? uri : new Uri(uri.GetLeftPart(UriPartial.Query));

    private sealed record PageFacts(Uri? BaseUrl, Uri? Canonical, string? Title, IReadOnlyList<Uri> Links)
    {
        public static PageFacts Read(IDocument document, Uri? pageUrl)
        {
            var baseUrl = pageUrl;
            foreach (var node in Descendants(document))
            {
                if (node is IHtmlBaseElement element && element.GetAttribute("href") is { } href)
                {
                    baseUrl = ResolveHttp(pageUrl, href) ?? pageUrl;
                    break;
                }
            }

            Uri? canonical = null;
            string? title = null;
            var links = new List<Uri>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var node in Descendants(document))
            {
                switch (node)
                {
                    case IHtmlAnchorElement anchor when ResolveHttp(baseUrl, anchor.GetAttribute("href")) is { } link:
                        var plain = WithoutFragment(link);
                        if (seen.Add(plain.AbsoluteUri))
                        {
                            links.Add(plain);
                        }

                        break;
                    case IHtmlLinkElement element when canonical is null && IsCanonical(element):
                        canonical = ResolveHttp(baseUrl, element.GetAttribute("href"));
                        break;
                    case IHtmlTitleElement element when title is null:
                        var text = Collapse(element.TextContent);
                        title = text.Length > 0 ? text : null;
                        break;
                }
            }

            return new PageFacts(baseUrl, canonical, title, links);
        }

        private static bool IsCanonical(IElement link) =>
            (link.GetAttribute("rel") ?? "").Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)
                .Any(rel => rel.Equals("canonical", StringComparison.OrdinalIgnoreCase));
    }
}
