using System.Net;
using System.Text.RegularExpressions;

namespace DocAIche.Console.Api;

/// <summary>
/// A search snippet as the console shows it. The API sends escaped text with the matched terms in
/// <c>&lt;mark&gt;</c>; the console does not insert that as markup but rebuilds it: plain text
/// pieces, each saying whether it was marked. Whatever else a snippet held stays text.
/// </summary>
public static partial class SnippetText
{
    public static IEnumerable<(string Text, bool Marked)> Segments(string snippet)
    {
        var marked = false;
        foreach (var part in Marks().Split(snippet))
        {
            if (part is "<mark>" or "</mark>")
            {
                marked = part == "<mark>";
                continue;
            }
            if (part.Length > 0)
            {
                yield return (WebUtility.HtmlDecode(part), marked);
            }
        }
    }

    [GeneratedRegex("(<mark>|</mark>)")]
    private static partial Regex Marks();
}
