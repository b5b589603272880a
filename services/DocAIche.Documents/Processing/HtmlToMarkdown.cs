using System.Globalization;
using System.Text;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;
using AngleSharp.Html.Parser;

namespace DocAIche.Documents.Processing;

/// <summary>
/// Turns a documentation page into Markdown: the main content only, without the site's
/// navigation, and the page's links (all of them, for the crawler).
/// </summary>
internal static class HtmlToMarkdown
{
    // Deeper tags are dropped before parsing (see HtmlNesting); the tree builder caps at the same depth.
    private const int MaxSourceDepth = 512;

    // Deeper content is written as plain text, so the recursive walk keeps a bounded stack.
    internal const int MaxRenderDepth = 256;

    private static readonly string[] ContainerClasses = ["markdown-body", "theme-doc-markdown", "md-content", "rst-content"];

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

    /// <summary>
    /// Elements that hold the page's content (ancestors of its h1, main, article): class names
    /// such as "sidebar-layout" on them describe the layout, not navigation.
    /// </summary>
    private static HashSet<INode> ContentHolders(IDocument document)
    {
        var holders = new HashSet<INode>(ReferenceEqualityComparer.Instance);
        foreach (var node in Descendants(document))
        {
            if (node is IHtmlElement { LocalName: "h1" or "main" or "article" } || (node is IHtmlElement && IsRole(node, "main")))
            {
                for (var up = node.Parent; up is not null && holders.Add(up); up = up.Parent)
                {
                }
            }
        }

        return holders;
    }

    private static bool IsRole(INode node, string role) =>
        node is IElement e && string.Equals(e.GetAttribute("role")?.Trim(), role, StringComparison.OrdinalIgnoreCase);

    private static INode ContentRoot(IDocument document)
    {
        var main = new List<IElement>();
        var articles = new List<IElement>();
        var roleMain = new List<IElement>();
        var containers = new List<IElement>[ContainerClasses.Length + 3];
        for (var i = 0; i < containers.Length; i++)
        {
            containers[i] = [];
        }

        foreach (var node in Descendants(document, n => n is IElement e && e.LocalName is "script" or "style" or "template" or "svg"))
        {
            if (node is not IHtmlElement element)
            {
                continue;
            }

            switch (element.LocalName)
            {
                case "main":
                    AddOutermost(main, element, "main");
                    break;
                case "article":
                    AddOutermost(articles, element, "article");
                    break;
            }

            if (IsRole(element, "main"))
            {
                roleMain.Add(element);
            }

            if (element.GetAttribute("id") == "content")
            {
                containers[ContainerClasses.Length].Add(element);
            }

            // The class attribute as a string: building a ClassList for every element is slow on large pages.
            if (element.GetAttribute("class") is not { Length: > 0 } classes)
            {
                continue;
            }

            for (var i = 0; i < ContainerClasses.Length; i++)
            {
                if (HasClass(classes, ContainerClasses[i]))
                {
                    containers[i].Add(element);
                }
            }

            if (HasClass(classes, "content"))
            {
                containers[ContainerClasses.Length + 1].Add(element);
            }

            if (HasClass(classes, "document"))
            {
                containers[ContainerClasses.Length + 2].Add(element);
            }
        }

        foreach (var candidates in new[] { main, articles, roleMain }.Concat(containers))
        {
            if (Richest(candidates) is { } chosen)
            {
                return chosen;
            }
        }

        return (INode?)document.Body ?? document;
    }

    private static bool HasClass(string classes, string name)
    {
        foreach (var range in classes.AsSpan().SplitAny(" \t\n\r\f"))
        {
            if (classes.AsSpan(range).Equals(name, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    private static void AddOutermost(List<IElement> list, IElement element, string name)
    {
        for (var up = element.ParentElement; up is not null; up = up.ParentElement)
        {
            if (up.LocalName == name)
            {
                return;
            }
        }

        list.Add(element);
    }

    private static IElement? Richest(List<IElement> candidates)
    {
        IElement? best = null;
        var bestLength = 0L;
        foreach (var candidate in candidates.Take(64))
        {
            var length = TextLength(candidate);
            if (length > bestLength)
            {
                best = candidate;
                bestLength = length;
            }
        }

        return best;
    }

    private static long TextLength(INode root)
    {
        var length = 0L;
        foreach (var node in Descendants(root, n => n is IElement { LocalName: "script" or "style" or "template" }))
        {
            if (node is IText text)
            {
                foreach (var c in text.Data)
                {
                    if (!char.IsWhiteSpace(c))
                    {
                        length++;
                    }
                }
            }
        }

        return length;
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

    /// <summary>Navigation, page furniture and anything that is not text for a reader.</summary>
    internal static bool IsChrome(IElement element, HashSet<INode> keep)
    {
        switch (element.LocalName)
        {
            case "nav" or "footer" or "aside" or "script" or "style" or "noscript" or "template" or "svg"
                or "iframe" or "button" or "object" or "embed" or "canvas" or "video" or "audio" or "select"
                or "input" or "textarea" or "link" or "meta" or "head" or "dialog":
                return true;
            case "form":
                // Some sites wrap the whole page in a form.
                return !keep.Contains(element);
            case "header":
                // A site header holds navigation; an article header holds the page title.
                return !HasHeadingAndNoNavigation(element);
        }

        var role = element.GetAttribute("role");
        if (role is not null && role.Trim().ToLowerInvariant() is "navigation" or "contentinfo" or "complementary" or "search" or "banner")
        {
            return true;
        }

        // [hidden] is kept on purpose: inactive tab panels hold the other languages' examples.
        if (string.Equals(element.GetAttribute("aria-hidden")?.Trim(), "true", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        if (element.LocalName == "a" && (IsPermalink(element) || IsEditLink(element)))
        {
            return true;
        }

        // Headings are content whatever their classes say ("anchorWithStickyNavbar").
        if (keep.Contains(element) || element.LocalName is "h1" or "h2" or "h3" or "h4" or "h5" or "h6")
        {
            return false;
        }

        var classes = element.GetAttribute("class");
        if (classes is not null && ChromeNames.Match(classes))
        {
            return true;
        }

        // Headings and sections carry ids made from their titles ("menu-options"), which say nothing.
        var id = element.GetAttribute("id");
        return id is not null
            && element.LocalName is not ("section" or "article" or "dt")
            && !element.ClassList.Contains("section")
            && ChromeNames.Match(id);
    }

    private static bool HasHeadingAndNoNavigation(IElement header)
    {
        var heading = false;
        foreach (var node in Descendants(header))
        {
            if (node is IElement { LocalName: "nav" } || IsRole(node, "navigation"))
            {
                return false;
            }

            heading |= node is IElement { LocalName: "h1" or "h2" or "h3" or "h4" or "h5" or "h6" };
        }

        return heading;
    }

    /// <summary>"¶" and "#" anchors next to headings.</summary>
    private static bool IsPermalink(IElement anchor)
    {
        var href = anchor.GetAttribute("href");
        if (href is null || !href.TrimStart().StartsWith('#'))
        {
            return false;
        }

        var text = new StringBuilder();
        foreach (var node in Descendants(anchor))
        {
            if (node is IText t)
            {
                text.Append(t.Data);
                if (text.Length > 16)
                {
                    return false;
                }
            }
        }

        return Collapse(text.ToString()) is "" or "¶" or "#" or "§" or "🔗" or "∞";
    }

    /// <summary>"Edit this page" buttons, named by their title or label when their classes say nothing.</summary>
    private static bool IsEditLink(IElement anchor) =>
        (anchor.GetAttribute("title") ?? anchor.GetAttribute("aria-label") ?? "").Contains("edit this page", StringComparison.OrdinalIgnoreCase);

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

    /// <summary>Class and id words that mark navigation and page furniture.</summary>
    private static class ChromeNames
    {
        private static readonly HashSet<string> Words = new(StringComparer.OrdinalIgnoreCase)
        {
            "sidebar", "sidenav", "toc", "toctree", "tableofcontents", "breadcrumb", "breadcrumbs", "navbar", "menu",
            "footer", "cookie", "cookies", "headerlink", "permalink", "linenos", "lineno", "linenodiv",
        };

        private static readonly string[] Phrases =
        [
            "edit-this-page", "skip-link", "skip-to-content", "table-of-contents", "hash-link", "header-anchor",
            "anchor-link", "anchorjs-link", "edit-on-github", "edit-page", "cookie-banner", "cookie-consent",
        ];

        // Words glued to others in some themes ("sphinxsidebar", "docsidebar").
        private static readonly string[] Suffixes = ["sidebar", "navbar", "breadcrumbs", "breadcrumb", "footer"];

        public static bool Match(string names)
        {
            foreach (var name in names.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
            {
                foreach (var phrase in Phrases)
                {
                    if (name.Contains(phrase, StringComparison.OrdinalIgnoreCase))
                    {
                        return true;
                    }
                }

                foreach (var part in name.Split(['-', '_'], StringSplitOptions.RemoveEmptyEntries))
                {
                    if (Words.Contains(part))
                    {
                        return true;
                    }

                    // Only all-lowercase glued words: camelCase names ("anchorWithStickyNavbar") are descriptions.
                    if (!part.Any(char.IsUpper))
                    {
                        foreach (var suffix in Suffixes)
                        {
                            if (part.EndsWith(suffix, StringComparison.Ordinal) || part.StartsWith(suffix, StringComparison.Ordinal))
                            {
                                return true;
                            }
                        }
                    }
                }
            }

            return false;
        }
    }

    private sealed class Renderer(MarkdownWriter w, Uri? baseUrl, HashSet<INode> keep, int depth)
    {
        private int depth = depth;
        private int headingDepth;
        private int strongDepth;
        private int emphasisDepth;
        private int strikeDepth;

        public void RenderChildren(INode node)
        {
            var children = node.ChildNodes;
            for (var i = 0; i < children.Length; i++)
            {
                Render(children[i]);
            }
        }

        private void Render(INode node)
        {
            if (node is IText text)
            {
                w.Text(text.Data);
                return;
            }

            if (node is not IElement element || IsChrome(element, keep))
            {
                return;
            }

            if (depth >= MaxRenderDepth)
            {
                w.Text(" " + PlainText(element, keep) + " ");
                return;
            }

            depth++;
            try
            {
                if (element is IHtmlElement)
                {
                    RenderElement(element);
                }
                else
                {
                    RenderChildren(element); // MathML and the like: their text
                }
            }
            finally
            {
                depth--;
            }
        }

        private void RenderElement(IElement element)
        {
            switch (element.LocalName)
            {
                case "h1" or "h2" or "h3" or "h4" or "h5" or "h6":
                    Heading(element, element.LocalName[1] - '0');
                    break;
                case "br":
                    w.LineBreak();
                    break;
                case "hr":
                    if (w.SingleLine == 0)
                    {
                        w.Break(2);
                        w.RawLine("---");
                        w.Break(2);
                    }

                    break;
                case "strong" or "b":
                    Marked(element, "**", ref strongDepth);
                    break;
                case "em" or "i" or "cite" or "dfn":
                    Marked(element, "*", ref emphasisDepth);
                    break;
                case "del" or "s" or "strike":
                    Marked(element, "~~", ref strikeDepth);
                    break;
                case "code" or "tt" or "kbd" or "samp":
                    InlineCode(element);
                    break;
                case "pre" or "xmp" or "listing":
                    CodeBlock(element);
                    break;
                case "ul" or "ol" or "menu":
                    List(element, element.LocalName == "ol");
                    break;
                case "li":
                    ListItem(element, "- ");
                    break;
                case "blockquote":
                    Quote(element);
                    break;
                case "a":
                    Link(element);
                    break;
                case "img":
                    Image(element);
                    break;
                case "table":
                    Table(element);
                    break;
                case "dt":
                    Term(element);
                    break;
                case "dd":
                    w.Break(1);
                    RenderChildren(element);
                    w.Break(2);
                    break;
                case "p" or "div" or "section" or "article" or "main" or "header" or "address" or "center" or "details"
                    or "summary" or "figure" or "figcaption" or "fieldset" or "legend" or "hgroup" or "dl" or "caption"
                    or "body" or "html" or "search":
                    w.Break(2);
                    RenderChildren(element);
                    w.Break(2);
                    break;
                default:
                    RenderChildren(element);
                    break;
            }
        }

        private void Heading(IElement element, int level)
        {
            w.Break(2);
            w.OpenMark(new string('#', level) + " ", "");
            headingDepth++;
            w.SingleLine++;
            RenderChildren(element);
            w.SingleLine--;
            headingDepth--;
            w.CloseMark();
            w.Break(2);
        }

        private void Marked(IElement element, string marker, ref int nesting)
        {
            // Nested bold in bold would write "****".
            if (nesting > 0)
            {
                RenderChildren(element);
                return;
            }

            nesting++;
            w.OpenMark(marker, marker);
            RenderChildren(element);
            w.CloseMark();
            nesting--;
        }

        private void InlineCode(IElement element)
        {
            var code = Collapse(PlainText(element, keep));
            if (code.Length > 0)
            {
                w.Inline(CodeSpan(code));
            }
        }

        private void CodeBlock(IElement pre)
        {
            var code = PreText(pre);
            if (w.SingleLine > 0)
            {
                var inline = Collapse(code);
                if (inline.Length > 0)
                {
                    w.Inline(CodeSpan(inline));
                }

                return;
            }

            code = code.TrimEnd('\n');
            if (code.Trim().Length == 0)
            {
                return;
            }

            var fence = new string('`', Math.Max(3, LongestRun(code, '`') + 1));
            w.Break(2);
            w.RawLine(fence + (CodeLanguage(pre) ?? ""));
            foreach (var line in code.Split('\n'))
            {
                w.RawLine(line);
            }

            w.RawLine(fence);
            w.Break(2);
        }

        /// <summary>The code exactly as shown: highlighting spans flattened, line numbers left out.</summary>
        private static string PreText(IElement pre)
        {
            var text = new StringBuilder();
            foreach (var node in Descendants(pre, n => n is IElement e && (e.LocalName is "script" or "style" or "button" || IsLineNumber(e))))
            {
                if (node is IText t)
                {
                    text.Append(t.Data);
                }
                else if (node is IElement { LocalName: "br" })
                {
                    text.Append('\n');
                }
            }

            return text.ToString();
        }

        private static bool IsLineNumber(IElement element)
        {
            var classes = element.ClassList;
            return classes.Contains("linenos") || classes.Contains("lineno") || classes.Contains("linenodiv") || classes.Contains("line-numbers-rows");
        }

        private static string? CodeLanguage(IElement pre)
        {
            var code = pre.Children.FirstOrDefault(c => c.LocalName == "code");
            IElement?[] candidates = [code, pre, pre.ParentElement, pre.ParentElement?.ParentElement];
            foreach (var element in candidates)
            {
                if (element is null)
                {
                    continue;
                }

                foreach (var attribute in (string[])["data-lang", "data-language"])
                {
                    if (Language(element.GetAttribute(attribute)) is { } fromAttribute)
                    {
                        return fromAttribute;
                    }
                }

                var classes = element.ClassList.ToArray();
                for (var i = 0; i < classes.Length; i++)
                {
                    var name = classes[i];
                    string? value = null;
                    if (name.StartsWith("language-", StringComparison.OrdinalIgnoreCase))
                    {
                        value = name["language-".Length..];
                    }
                    else if (name.StartsWith("lang-", StringComparison.OrdinalIgnoreCase))
                    {
                        value = name["lang-".Length..];
                    }
                    else if (name.StartsWith("highlight-source-", StringComparison.OrdinalIgnoreCase))
                    {
                        value = name["highlight-source-".Length..];
                    }
                    else if (name.StartsWith("highlight-", StringComparison.OrdinalIgnoreCase))
                    {
                        value = name["highlight-".Length..];
                    }
                    else if (name.Equals("sourceCode", StringComparison.OrdinalIgnoreCase) && i + 1 < classes.Length)
                    {
                        value = classes[i + 1];
                    }

                    if (Language(value) is { } language)
                    {
                        return language;
                    }
                }
            }

            return null;
        }

        private static string? Language(string? value)
        {
            var language = value?.Trim().ToLowerInvariant();
            if (string.IsNullOrEmpty(language) || language.Length > 40 || language is "default" or "none" or "nohighlight" or "notranslate" or "sourcecode")
            {
                return null;
            }

            // It becomes a fence's info string: nothing that could end or confuse the fence.
            foreach (var c in language)
            {
                if (!char.IsAsciiLetterOrDigit(c) && c is not ('-' or '_' or '+' or '#' or '.'))
                {
                    return null;
                }
            }

            return language;
        }

        private void List(IElement list, bool ordered)
        {
            if (w.SingleLine > 0)
            {
                RenderChildren(list);
                return;
            }

            var nested = w.InListItem;
            w.Break(nested ? 1 : 2);
            var number = ordered && int.TryParse(list.GetAttribute("start"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var start)
                ? Math.Clamp(start, 0, 999_999_999)
                : 1;
            var children = list.ChildNodes;
            for (var i = 0; i < children.Length; i++)
            {
                var child = children[i];
                if (child is IHtmlElement { LocalName: "li" } item && !IsChrome(item, keep))
                {
                    ListItem(item, ordered ? $"{number++}. " : "- ");
                }
                else
                {
                    Render(child);
                }
            }

            w.Break(nested ? 1 : 2);
        }

        private void ListItem(IElement item, string marker)
        {
            if (w.SingleLine > 0)
            {
                RenderChildren(item);
                w.Break(1);
                return;
            }

            w.Break(1);
            w.PushFrame(new string(' ', marker.Length), marker, isListItem: true);
            RenderChildren(item);
            w.PopFrame();
            w.Break(1);
        }

        private void Quote(IElement quote)
        {
            if (w.SingleLine > 0)
            {
                RenderChildren(quote);
                return;
            }

            w.Break(2);
            w.PushFrame("> ", null, isListItem: false);
            RenderChildren(quote);
            w.PopFrame();
            w.Break(2);
        }

        private void Link(IElement anchor)
        {
            // Headings feed breadcrumbs and anchors, so their links are kept as text.
            var target = headingDepth > 0 || w.LinkDepth > 0 ? null : LinkTarget(anchor.GetAttribute("href"));
            if (target is null)
            {
                RenderChildren(anchor);
                return;
            }

            w.OpenMark("[", "](" + Destination(target) + ")");
            w.LinkDepth++;
            RenderChildren(anchor);
            w.LinkDepth--;
            w.CloseMark();
        }

        private string? LinkTarget(string? href)
        {
            if (href is null || href.Trim().Length == 0)
            {
                return null;
            }

            if (ResolveAny(baseUrl, href) is { } uri)
            {
                return uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeMailto
                    ? uri.AbsoluteUri
                    : null; // javascript:, data:, file: and the like
            }

            // A relative link on a page with no address (an uploaded file): keep it as written.
            var cleaned = href.Trim();
            return HasScheme(cleaned) ? null : cleaned;
        }

        private void Image(IElement image)
        {
            var alt = Collapse(image.GetAttribute("alt") ?? "");
            if (alt.Length == 0)
            {
                return;
            }

            var source = ResolveHttp(baseUrl, image.GetAttribute("src")) ?? ResolveHttp(baseUrl, image.GetAttribute("data-src"));
            if (source is null)
            {
                return;
            }

            w.Inline("![" + EscapeBrackets(alt) + "](" + Destination(source.AbsoluteUri) + ")");
        }

        private void Term(IElement term)
        {
            w.Break(2);
            if (w.SingleLine > 0 || strongDepth > 0)
            {
                RenderChildren(term);
            }
            else
            {
                strongDepth++;
                w.SingleLine++;
                w.OpenMark("**", "**");
                RenderChildren(term);
                w.CloseMark();
                w.SingleLine--;
                strongDepth--;
            }

            w.Break(1);
        }

        private void Table(IElement table)
        {
            var rows = w.SingleLine > 0 || IsLayoutTable(table) ? [] : Rows(table);
            var columns = rows.Count == 0 ? 0 : rows.Max(r => r.Count);
            if (columns < 2)
            {
                // Layout and code tables (line numbers beside code) read better as blocks.
                w.Break(2);
                RenderChildren(table);
                w.Break(2);
                return;
            }

            w.Break(2);
            for (var r = 0; r < rows.Count; r++)
            {
                var cells = rows[r];
                w.RawLine("| " + string.Join(" | ", Enumerable.Range(0, columns).Select(c => c < cells.Count ? cells[c] : "")) + " |");
                if (r == 0)
                {
                    w.RawLine("|" + string.Concat(Enumerable.Repeat(" --- |", columns)));
                }
            }

            w.Break(2);
        }

        private static bool IsLayoutTable(IElement table)
        {
            foreach (var node in Descendants(table))
            {
                if (node is IElement { LocalName: "pre" or "table" })
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>Rows as one-line cells, the header row (from thead, else the first row) first.</summary>
        private List<List<string>> Rows(IElement table)
        {
            var head = new List<IElement>();
            var body = new List<IElement>();
            foreach (var child in table.Children)
            {
                switch (child.LocalName)
                {
                    case "thead":
                        head.AddRange(child.Children.Where(c => c.LocalName == "tr"));
                        break;
                    case "tbody" or "tfoot":
                        body.AddRange(child.Children.Where(c => c.LocalName == "tr"));
                        break;
                    case "tr":
                        body.Add(child);
                        break;
                }
            }

            var rows = new List<List<string>>();
            foreach (var row in head.Concat(body))
            {
                var cells = new List<string>();
                foreach (var cell in row.Children)
                {
                    if (cell.LocalName is not ("td" or "th"))
                    {
                        continue;
                    }

                    cells.Add(Cell(cell));
                    var span = int.TryParse(cell.GetAttribute("colspan"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var s) ? Math.Clamp(s, 1, 32) : 1;
                    for (var extra = 1; extra < span; extra++)
                    {
                        cells.Add("");
                    }
                }

                if (cells.Count > 0)
                {
                    rows.Add(cells);
                }
            }

            return rows;
        }

        private string Cell(IElement cell)
        {
            var writer = new MarkdownWriter { SingleLine = 1 };
            new Renderer(writer, baseUrl, keep, depth).RenderChildren(cell);
            return writer.ToString().Replace("\n", " ", StringComparison.Ordinal).Replace("|", "\\|", StringComparison.Ordinal).Trim();
        }

        private static string CodeSpan(string code)
        {
            var ticks = new string('`', LongestRun(code, '`') + 1);
            var pad = code.StartsWith('`') || code.EndsWith('`') ? " " : "";
            return ticks + pad + code + pad + ticks;
        }

        private static int LongestRun(string text, char c)
        {
            int longest = 0, run = 0;
            foreach (var ch in text)
            {
                run = ch == c ? run + 1 : 0;
                longest = Math.Max(longest, run);
            }

            return longest;
        }

        private static string EscapeBrackets(string text) =>
            text.Replace("[", "\\[", StringComparison.Ordinal).Replace("]", "\\]", StringComparison.Ordinal);

        /// <summary>A link destination that survives spaces and parentheses.</summary>
        private static string Destination(string url) =>
            url.Replace(" ", "%20", StringComparison.Ordinal).Replace("(", "%28", StringComparison.Ordinal).Replace(")", "%29", StringComparison.Ordinal);
    }
}
