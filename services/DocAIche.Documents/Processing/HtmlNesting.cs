using System.Text;

namespace DocAIche.Documents.Processing;

/// <summary>
/// Drops the tags of elements nested deeper than a limit before the HTML reaches the parser. The
/// HTML tree builder scans its stack of open elements for most start tags, so 100,000 nested
/// &lt;div&gt; elements take the parser close to a minute; a browser would flatten them anyway.
/// This is a tag scanner, not a parser: it only has to be right for sane pages and linear for the rest.
/// </summary>
internal static class HtmlNesting
{
    // Void elements never nest; elements whose end tag may be omitted (p, li, td...) close
    // themselves when a sibling starts, so counting them would overstate depth on valid pages.
    private static readonly HashSet<string> NotCounted = new(StringComparer.OrdinalIgnoreCase)
    {
        "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr",
        "param", "keygen", "basefont", "bgsound", "frame", "image",
        "p", "li", "dt", "dd", "option", "optgroup", "tr", "td", "th", "tbody", "thead", "tfoot",
        "colgroup", "caption", "rb", "rt", "rtc", "rp", "html", "head", "body",
    };

    // Their content is text up to the matching end tag, so tags inside must not be counted.
    private static readonly HashSet<string> RawText = new(StringComparer.OrdinalIgnoreCase)
    {
        "script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes", "noscript",
    };

    public static string Limit(string html, int maxDepth)
    {
        ArgumentNullException.ThrowIfNull(html);
        StringBuilder? output = null;
        var copied = 0;
        var depth = 0;
        var i = 0;
        while (i < html.Length)
        {
            var lt = html.IndexOf('<', i);
            if (lt < 0 || lt + 1 >= html.Length)
            {
                break;
            }

            var next = html[lt + 1];
            if (next == '!' && string.CompareOrdinal(html, lt, "<!--", 0, 4) == 0)
            {
                var close = html.IndexOf("-->", lt + 4, StringComparison.Ordinal);
                i = close < 0 ? html.Length : close + 3;
                continue;
            }

            if (next is '!' or '?')
            {
                var close = html.IndexOf('>', lt + 2);
                i = close < 0 ? html.Length : close + 1;
                continue;
            }

            var isEnd = next == '/';
            var nameStart = isEnd ? lt + 2 : lt + 1;
            if (nameStart >= html.Length || !char.IsAsciiLetter(html[nameStart]))
            {
                i = lt + 1;
                continue;
            }

            var nameEnd = nameStart;
            while (nameEnd < html.Length && (char.IsAsciiLetterOrDigit(html[nameEnd]) || html[nameEnd] is '-' or ':' or '_'))
            {
                nameEnd++;
            }

            var name = html.AsSpan(nameStart, nameEnd - nameStart);
            var tagEnd = TagEnd(html, nameEnd);
            i = tagEnd + 1;

            if (!isEnd && RawText.GetAlternateLookup<ReadOnlySpan<char>>().Contains(name))
            {
                i = AfterEndTag(html, i, name);
                continue;
            }

            if (!isEnd && name.Equals("plaintext", StringComparison.OrdinalIgnoreCase))
            {
                break;
            }

            if (NotCounted.GetAlternateLookup<ReadOnlySpan<char>>().Contains(name))
            {
                continue;
            }

            var selfClosing = !isEnd && tagEnd < html.Length && tagEnd > lt && html[tagEnd - 1] == '/';
            bool drop;
            if (isEnd)
            {
                drop = depth > maxDepth;
                depth = Math.Max(0, depth - 1);
            }
            else if (selfClosing)
            {
                drop = false;
            }
            else
            {
                depth++;
                drop = depth > maxDepth;
            }

            if (drop)
            {
                output ??= new StringBuilder(html.Length);
                output.Append(html, copied, lt - copied);
                copied = Math.Min(html.Length, tagEnd + 1);
            }
        }

        if (output is null)
        {
            return html;
        }

        output.Append(html, copied, html.Length - copied);
        return output.ToString();
    }

    /// <summary>Index of the '&gt;' that ends a tag, skipping quoted attribute values.</summary>
    private static int TagEnd(string html, int from)
    {
        var afterEquals = false;
        for (var i = from; i < html.Length; i++)
        {
            var c = html[i];
            if (c == '>')
            {
                return i;
            }

            if (afterEquals && c is '"' or '\'')
            {
                var close = html.IndexOf(c, i + 1);
                if (close < 0)
                {
                    return html.Length;
                }

                i = close;
                afterEquals = false;
                continue;
            }

            if (c == '=')
            {
                afterEquals = true;
            }
            else if (!char.IsWhiteSpace(c))
            {
                afterEquals = false;
            }
        }

        return html.Length;
    }

    private static int AfterEndTag(string html, int from, ReadOnlySpan<char> name)
    {
        var i = from;
        while (true)
        {
            var lt = html.IndexOf("</", i, StringComparison.Ordinal);
            if (lt < 0)
            {
                return html.Length;
            }

            var candidate = lt + 2;
            if (candidate + name.Length <= html.Length
                && html.AsSpan(candidate, name.Length).Equals(name, StringComparison.OrdinalIgnoreCase)
                && (candidate + name.Length == html.Length || !char.IsAsciiLetterOrDigit(html[candidate + name.Length])))
            {
                var close = html.IndexOf('>', candidate);
                return close < 0 ? html.Length : close + 1;
            }

            i = candidate;
        }
    }
}
