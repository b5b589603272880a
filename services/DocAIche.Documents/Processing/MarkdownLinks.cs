using System.Text.RegularExpressions;

namespace DocAIche.Documents.Processing;

/// <summary>The pages a Markdown text links to: what the crawler follows from Markdown pages and llms.txt files.</summary>
internal static partial class MarkdownLinks
{
    /// <summary>
    /// Targets of the Markdown links, resolved against <paramref name="baseUrl"/>: http(s) only, without
    /// fragments (a fragment names a place in a page, not another page), each once, in order.
    /// </summary>
    public static IReadOnlyList<Uri> Extract(string markdown, Uri baseUrl)
    {
        ArgumentNullException.ThrowIfNull(markdown);
        ArgumentNullException.ThrowIfNull(baseUrl);
        var links = new List<Uri>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (Match match in MarkdownLink().Matches(markdown))
        {
            var target = match.Groups["angled"].Success ? match.Groups["angled"].Value : match.Groups["plain"].Value;
            if (!Uri.TryCreate(baseUrl, target.Trim(), out var uri)
                || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            {
                continue;
            }

            if (uri.Fragment.Length > 0)
            {
                uri = new Uri(uri.GetLeftPart(UriPartial.Query));
            }

            if (seen.Add(uri.AbsoluteUri))
            {
                links.Add(uri);
            }
        }

        return links;
    }

    // [text](url), [text](<url>) and [text](url "title"); images (![alt](src)) are not pages.
    [GeneratedRegex(@"(?<!!)\[[^\]\n]*\]\(\s*(?:<(?<angled>[^<>\n]+)>|(?<plain>[^\s()<>]+(?:\([^\s()]*\)[^\s()<>]*)*))(?:\s+(?:""[^""\n]*""|'[^'\n]*'))?\s*\)", RegexOptions.CultureInvariant, 1000)]
    private static partial Regex MarkdownLink();
}
