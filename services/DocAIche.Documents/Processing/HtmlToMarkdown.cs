using System.Text;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;
using AngleSharp.Html.Parser;

namespace DocAIche.Documents.Processing;

/// <summary>
/// Turns a documentation page into Markdown: the main content only, without the site's
/// navigation, and the page's links (all of them, for the crawler).
/// </summary>
internal static partial class HtmlToMarkdown
{
    // Deeper tags are dropped before parsing (see HtmlNesting); the tree builder caps at the same depth.
    private const int MaxSourceDepth = 512;

    // Deeper content is written as plain text, so the recursive walk keeps a bounded stack.
    internal const int MaxRenderDepth = 256;

    public static NormalisedDocument Convert(string html, Uri? pageUrl, string fallbackTitle)
    {
        ArgumentNullException.ThrowIfNull(html);
        var parser = new HtmlParser(new HtmlParserOptions
        {
            MaximumDepth = MaxSourceDepth,
            SkipComments = true,
            IsScripting = false,
        });
        using var document = parser.ParseDocument(HtmlNesting.Limit(html, MaxSourceDepth));

        var facts = PageFacts.Read(document, pageUrl);
        var root = ContentRoot(document);
        var keep = ContentHolders(document);

        var writer = new MarkdownWriter();
        new Renderer(writer, facts.BaseUrl, keep, 0).RenderChildren(root);

        var title = FirstHeading(root, keep) ?? facts.Title ?? FirstHeading(document, keep);
        return DocumentNormaliser.Finish(title, writer.ToString(), fallbackTitle, facts.Canonical, facts.Links);
    }

    private static string? FirstHeading(INode root, HashSet<INode> keep)
    {
        foreach (var node in Descendants(root, n => n is IElement e && IsChrome(e, keep)))
        {
            if (node is IHtmlElement { LocalName: "h1" } h1)
            {
                var text = Collapse(PlainText(h1, keep));
                if (text.Length > 0)
                {
                    return text;
                }
            }
        }

        return null;
    }

    /// <summary>
    /// Pre-order walk without recursion; <paramref name="skip"/> prunes a subtree. Children are
    /// read by index: AngleSharp finds a node's NextSibling by scanning its parent's children,
    /// which makes sibling-to-sibling walks quadratic on large pages.
    /// </summary>
    internal static IEnumerable<INode> Descendants(INode root, Func<INode, bool>? skip = null)
    {
        var stack = new Stack<(INodeList Children, int Index)>();
        stack.Push((root.ChildNodes, 0));
        while (stack.Count > 0)
        {
            var (children, index) = stack.Pop();
            if (index >= children.Length)
            {
                continue;
            }

            stack.Push((children, index + 1));
            var node = children[index];
            if (skip?.Invoke(node) ?? false)
            {
                continue;
            }

            yield return node;
            if (node.HasChildNodes)
            {
                stack.Push((node.ChildNodes, 0));
            }
        }
    }

    /// <summary>The text under a node, without scripts, styles or page chrome.</summary>
    internal static string PlainText(INode root, HashSet<INode> keep)
    {
        var text = new StringBuilder();
        foreach (var node in Descendants(root, n => n is IElement e && IsChrome(e, keep)))
        {
            if (node is IText t)
            {
                text.Append(t.Data);
            }
            else if (node is IElement { LocalName: "br" or "p" or "div" or "li" or "td" or "th" or "tr" })
            {
                text.Append(' ');
            }
        }

        return text.ToString();
    }

    internal static string Collapse(string text)
    {
        var result = new StringBuilder(text.Length);
        var space = false;
        foreach (var c in text)
        {
            if (char.IsWhiteSpace(c))
            {
                space = result.Length > 0;
                continue;
            }

            if (c is '\u200B' or '\u200C' or '\u200D' or '\u2060' or '\uFEFF')
            {
                continue;
            }

            if (space)
            {
                result.Append(' ');
                space = false;
            }

            result.Append(c);
        }

        return result.ToString();
    }
}
