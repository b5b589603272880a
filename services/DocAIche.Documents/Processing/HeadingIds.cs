using System.Text;
using System.Text.RegularExpressions;

namespace DocAIche.Documents.Processing;

/// <summary>
/// Explicit heading ids as documentation tools write them after a heading's text: Pandoc, kramdown
/// and Docusaurus <c>{#id}</c>, MkDocs' attribute lists <c>{ #id .class }</c> and <c>{: #id }</c>,
/// and MDX comments <c>{/*id*/}</c> (react.dev). Normalised Markdown writes each as <c>{#id}</c>,
/// the form the chunker reads as the anchor and leaves out of titles, breadcrumbs and chunk text.
/// </summary>
internal static partial class HeadingIds
{
    /// <summary>The heading's text without its id, and the id (null when it has none).</summary>
    public static (string Text, string? Id) Split(string heading)
    {
        ArgumentNullException.ThrowIfNull(heading);
        var match = Suffix().Match(heading);
        return match.Success ? (heading[..match.Index].TrimEnd(), match.Groups["id"].Value) : (heading, null);
    }

    /// <summary>Every ATX heading outside fenced code with an explicit id in any known form rewritten to end in <c>{#id}</c>.</summary>
    public static string Canonical(string markdown)
    {
        ArgumentNullException.ThrowIfNull(markdown);
        if (!markdown.Contains('{', StringComparison.Ordinal))
        {
            return markdown;
        }

        var output = new StringBuilder(markdown.Length);
        var fence = new FenceTracker();
        var first = true;
        foreach (var range in markdown.AsSpan().Split('\n'))
        {
            var line = markdown[range];
            if (!first)
            {
                output.Append('\n');
            }

            first = false;
            if (!fence.Step(line) && AtxHeading().IsMatch(line))
            {
                var (text, id) = Split(line);
                if (id is not null)
                {
                    output.Append(text).Append(" {#").Append(id).Append('}');
                    continue;
                }
            }

            output.Append(line);
        }

        return output.ToString();
    }

    [GeneratedRegex(@"[ \t]*\{(?:[ \t]*:?[ \t]*#(?<id>[\w.:-]+)(?:[ \t]+[^{}\n]*)?[ \t]*|/\*[ \t]*(?<id>[\w.:-]+)[ \t]*\*/)\}[ \t]*#*[ \t]*$", RegexOptions.CultureInvariant, 1000)]
    private static partial Regex Suffix();

    [GeneratedRegex(@"^ {0,3}#{1,6}[ \t]", RegexOptions.CultureInvariant, 1000)]
    private static partial Regex AtxHeading();
}
