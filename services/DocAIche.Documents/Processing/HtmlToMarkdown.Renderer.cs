using System.Globalization;
using System.Text;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;

namespace DocAIche.Documents.Processing;

// HTML nodes to Markdown, through a MarkdownWriter.
internal static partial class HtmlToMarkdown
{
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
