using System.Text.RegularExpressions;

namespace DocAIche.Documents.Crawling;

/// <summary>The pages an llms.txt file (llmstxt.org) lists.</summary>
internal static partial class LlmsTxt
{
    /// <summary>
    /// Targets of the Markdown links, resolved against the file's own URL: http(s) only, without
    /// fragments (a fragment names a place in a page, not another page), each once, in order.
    /// </summary>
    public static IReadOnlyList<Uri> Links(string markdown, Uri llmsTxtUrl)
    {
        ArgumentNullException.ThrowIfNull(markdown);
        ArgumentNullException.ThrowIfNull(llmsTxtUrl);
        var links = new List<Uri>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (Match match in MarkdownLink().Matches(markdown))
        {
            var target = match.Groups["angled"].Success ? match.Groups["angled"].Value : match.Groups["plain"].Value;
            if (!Uri.TryCreate(llmsTxtUrl, target.Trim(), out var uri)
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
