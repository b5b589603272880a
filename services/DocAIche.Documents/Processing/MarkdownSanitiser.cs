using System.Text;
using System.Text.RegularExpressions;
using AngleSharp.Html.Parser;
using Markdig;
using Markdig.Syntax;
using Markdig.Syntax.Inlines;

namespace DocAIche.Documents.Processing;

/// <summary>
/// Makes stored Markdown safe to render, as HTML pages already are when they are converted: raw HTML
/// blocks keep only their text, inline tags go, and links or images whose address is not http(s),
/// mailto or relative (javascript:, data:, vbscript: …) lose their address (a link keeps its words).
/// Code (fenced, indented, inline) is left exactly as written: there HTML is text.
/// </summary>
internal static partial class MarkdownSanitiser
{
    private static readonly MarkdownPipeline Pipeline = new MarkdownPipelineBuilder().UsePreciseSourceLocation().Build();
    private static readonly HtmlParser Html = new();

    /// <summary>The Markdown with no raw HTML and no script-bearing links; unchanged when it had none.</summary>
    public static string Sanitise(string markdown)
    {
        if (!MayNeedWork(markdown))
        {
            return markdown;
        }
        var text = markdown;
        // An edit can make new syntax (text freed from a tag that reads as a tag itself): go again until nothing is left.
        for (var pass = 0; pass < 4; pass++)
        {
            var edits = Edits(text);
            if (edits is null)
            {
                return EscapeAll(text); // too deeply nested for the parser: no markup survives
            }
            if (edits.Count == 0)
            {
                return text;
            }
            text = Apply(text, edits);
        }
        return Edits(text) is { Count: 0 } ? text : EscapeAll(text);
    }

    /// <summary>Whether a link, an image or a tag could be there at all (most pages: no parse needed).</summary>
    private static bool MayNeedWork(string markdown) => markdown.Contains('<') || markdown.Contains("](", StringComparison.Ordinal) || markdown.Contains("]:", StringComparison.Ordinal);

    private readonly record struct Edit(int Start, int End, string Replacement);

    private static List<Edit>? Edits(string text)
    {
        MarkdownDocument document;
        try
        {
            document = Markdown.Parse(text, Pipeline);
        }
        catch (ArgumentException)
        {
            return null;
        }

        var edits = new List<Edit>();
        foreach (var node in document.Descendants())
        {
            switch (node)
            {
                case HtmlBlock block:
                    edits.Add(new Edit(block.Span.Start, End(text, block.Span), TextOf(text[block.Span.Start..End(text, block.Span)])));
                    break;
                case LinkReferenceDefinition definition when !IsSafe(definition.Url):
                    edits.Add(new Edit(definition.Span.Start, End(text, definition.Span), ""));
                    break;
                case HtmlInline tag:
                    edits.Add(new Edit(tag.Span.Start, End(text, tag.Span), ""));
                    break;
                case AutolinkInline autolink when !IsSafe(autolink.Url):
                    edits.Add(new Edit(autolink.Span.Start, End(text, autolink.Span), ""));
                    break;
                case LinkInline link when !IsSafe(link.Url):
                    edits.Add(new Edit(link.Span.Start, End(text, link.Span), link.IsImage ? "" : LabelOf(text, link)));
                    break;
            }
        }
        return edits;
    }

    private static int End(string text, SourceSpan span) => Math.Min(text.Length, span.End + 1);

    /// <summary>Applies edits from the end, skipping any inside one already applied (a tag inside a removed link).</summary>
    private static string Apply(string text, List<Edit> edits)
    {
        var builder = new StringBuilder(text);
        var limit = int.MaxValue;
        foreach (var edit in edits.OrderByDescending(e => e.Start).ThenBy(e => e.End))
        {
            if (edit.End > limit || edit.Start < 0 || edit.End < edit.Start)
            {
                continue;
            }
            builder.Remove(edit.Start, edit.End - edit.Start).Insert(edit.Start, edit.Replacement);
            limit = edit.Start;
        }
        return builder.ToString();
    }

    /// <summary>A link's words, as written between its brackets.</summary>
    private static string LabelOf(string text, LinkInline link)
    {
        var children = link.Descendants<Inline>().Where(i => i.Span.Start >= link.Span.Start && !i.Span.IsEmpty).ToList();
        if (children.Count == 0)
        {
            return link.Label ?? "";
        }
        var start = children.Min(c => c.Span.Start);
        var end = Math.Min(text.Length, children.Max(c => c.Span.End) + 1);
        return start < end ? text[start..end] : "";
    }

    /// <summary>The readable text of an HTML block, one paragraph, with nothing that reads as a tag again.</summary>
    private static string TextOf(string html)
    {
        var document = Html.ParseDocument($"<body>{html}</body>");
        foreach (var hidden in document.QuerySelectorAll("script, style, template, iframe, object, embed, noscript").ToList())
        {
            hidden.Remove();
        }
        var words = Whitespace().Replace(document.Body?.TextContent ?? "", " ").Trim();
        return words.Length == 0 ? "" : Escape(words) + "\n";
    }

    /// <summary>Backslash-escapes what could start markup again (tags, links, emphasis).</summary>
    private static string Escape(string words)
    {
        var escaped = new StringBuilder(words.Length + 8);
        foreach (var c in words)
        {
            if (c is '<' or '>' or '[' or ']' or '*' or '_' or '`' or '\\')
            {
                escaped.Append('\\');
            }
            escaped.Append(c);
        }
        return escaped.ToString();
    }

    /// <summary>The last resort, for text the parser refuses or that keeps yielding markup: every angle bracket becomes text.</summary>
    private static string EscapeAll(string text) => text.Replace("<", "&lt;", StringComparison.Ordinal).Replace("javascript:", "javascript&#58;", StringComparison.OrdinalIgnoreCase);

    /// <summary>http, https and mailto addresses, and relative ones; nothing that a browser would run or embed.</summary>
    internal static bool IsSafe(string? url)
    {
        if (string.IsNullOrEmpty(url))
        {
            return true;
        }
        // As browsers read it: control characters and whitespace inside the scheme are ignored ("java\tscript:").
        var cleaned = new string(url.Where(c => !char.IsControl(c) && !char.IsWhiteSpace(c)).ToArray());
        var scheme = Scheme().Match(cleaned);
        if (!scheme.Success)
        {
            return true;
        }
        var name = scheme.Groups[1].Value;
        return name.Equals("http", StringComparison.OrdinalIgnoreCase) ||
               name.Equals("https", StringComparison.OrdinalIgnoreCase) ||
               name.Equals("mailto", StringComparison.OrdinalIgnoreCase);
    }

    [GeneratedRegex(@"^([A-Za-z][A-Za-z0-9+.\-]*):")]
    private static partial Regex Scheme();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
