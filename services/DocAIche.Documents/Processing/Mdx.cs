using System.Text.RegularExpressions;

namespace DocAIche.Documents.Processing;

/// <summary>An MDX page as Markdown, with the title and description its exports declare.</summary>
internal sealed record MdxPage(string Markdown, string? Title, string? Description);

/// <summary>
/// MDX to plain Markdown: module imports and exports go (an exported <c>title</c> and
/// <c>description</c> are kept for the page), JSX component tags go while the text they wrap stays
/// (dedented, since MDX allows indentation inside components that Markdown reads as code), inline
/// components and JSX comments in running text go too. Fenced code and code spans are never touched.
/// </summary>
internal static partial class Mdx
{
    private const int MaxStatementLines = 500;
    private const int MaxTagLines = 50;
    private const int MaxTagLength = 2000;

    public static string ToMarkdown(string text) => Convert(text).Markdown;

    /// <summary>
    /// Whether Markdown is really MDX (react.dev writes MDX in .md files): outside code, a line is
    /// an import or export statement, a JSX component tag, or holds a JSX comment.
    /// </summary>
    public static bool LooksLikeMdx(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var fence = new FenceTracker();
        foreach (var range in text.AsSpan().Split('\n'))
        {
            var line = text[range];
            if (fence.Step(line))
            {
                continue;
            }

            var trimmed = line.Trim();
            if (trimmed.Length == 0)
            {
                continue;
            }

            if (IsStatementStart(line) || trimmed.Contains("{/*", StringComparison.Ordinal) || Opening().IsMatch(trimmed) || Closing().IsMatch(trimmed)
                || SelfClosing().IsMatch(trimmed) || InlineWrapper().IsMatch(trimmed) || (OpeningStart().IsMatch(trimmed) && trimmed != "<>"))
            {
                return true;
            }
        }

        return false;
    }

    public static MdxPage Convert(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string? title = null;
        string? description = null;
        var lines = text.Split('\n');
        var kept = new List<(string Line, int Depth)>(lines.Length);
        var fence = new FenceTracker();
        var depth = 0;
        var i = 0;
        while (i < lines.Length)
        {
            var line = lines[i];
            if (fence.Step(line))
            {
                kept.Add((line, depth));
                i++;
                continue;
            }

            if (IsStatementStart(line))
            {
                var after = AfterStatement(lines, i);
                foreach (Match export in ExportedText().Matches(string.Join('\n', lines[i..after])))
                {
                    var value = export.Groups["value"].Value.Replace("\\\"", "\"", StringComparison.Ordinal).Replace("\\'", "'", StringComparison.Ordinal);
                    if (export.Groups["name"].Value == "title")
                    {
                        title ??= value;
                    }
                    else
                    {
                        description ??= value;
                    }
                }

                i = after;
                kept.Add(("", 0));
                continue;
            }

            var trimmed = line.Trim();
            if (Comment().IsMatch(trimmed))
            {
                i++;
                continue;
            }

            var wrapped = InlineWrapper().Match(trimmed);
            if (wrapped.Success)
            {
                kept.Add((Indentation(line) + wrapped.Groups["inner"].Value.Trim(), depth));
                i++;
                continue;
            }

            if (SelfClosing().IsMatch(trimmed))
            {
                i++;
                continue;
            }

            if (Opening().IsMatch(trimmed))
            {
                depth++;
                i++;
                continue;
            }

            if (Closing().IsMatch(trimmed))
            {
                depth = Math.Max(0, depth - 1);
                i++;
                continue;
            }

            if (OpeningStart().IsMatch(trimmed) && TagEnd(lines, i) is { } end)
            {
                if (!lines[end].TrimEnd().EndsWith("/>", StringComparison.Ordinal))
                {
                    depth++;
                }

                i = end + 1;
                continue;
            }

            kept.Add((WithoutInlineJsx(line), depth));
            i++;
        }

        return new MdxPage(string.Join('\n', Dedent(kept)), title, description);
    }

    /// <summary>
    /// Running text without JSX: component tags (<c>&lt;CodeStep step={1}&gt;</c>, fragments) and
    /// tags with expression props (<c>style={{…}}</c>) go, the text between them stays; JSX comments
    /// go. Code spans are left as written. An unfinished tag is left alone.
    /// </summary>
    internal static string WithoutInlineJsx(string line)
    {
        if (line.IndexOf('<') < 0 && !line.Contains("{/*", StringComparison.Ordinal))
        {
            return line;
        }

        var output = new System.Text.StringBuilder(line.Length);
        HashSet<string>? opened = null; // HTML tags opened with expression props: their closing tags go too
        var i = 0;
        while (i < line.Length)
        {
            var c = line[i];
            if (c == '`')
            {
                // A code span: copied whole, up to the closing run of as many backticks.
                var run = 1;
                while (i + run < line.Length && line[i + run] == '`')
                {
                    run++;
                }

                var close = line.IndexOf(new string('`', run), i + run, StringComparison.Ordinal);
                var end = close < 0 ? i + run : close + run;
                output.Append(line, i, end - i);
                i = end;
                continue;
            }

            if (c == '{' && i + 2 < line.Length && line[i + 1] == '/' && line[i + 2] == '*')
            {
                var close = line.IndexOf("*/}", i + 3, StringComparison.Ordinal);
                if (close >= 0)
                {
                    i = close + 3;
                    continue;
                }
            }

            if (c == '<' && JsxTagEnd(line, i, ref opened) is { } tagEnd)
            {
                i = tagEnd;
                continue;
            }

            output.Append(c);
            i++;
        }

        return output.ToString();
    }

    /// <summary>
    /// Where a JSX tag starting at <paramref name="start"/> ends (after its <c>&gt;</c>): a component
    /// (capitalised name), a fragment, or any tag whose props hold an expression. Quotes and braces
    /// in props are balanced. Null when it is not such a tag.
    /// </summary>
    private static int? JsxTagEnd(string line, int start, ref HashSet<string>? opened)
    {
        var i = start + 1;
        var closing = i < line.Length && line[i] == '/';
        if (closing)
        {
            i++;
        }

        if (i < line.Length && line[i] == '>')
        {
            return i + 1; // <> or </>
        }

        if (i >= line.Length || !char.IsAsciiLetter(line[i]))
        {
            return null;
        }

        var component = char.IsAsciiLetterUpper(line[i]);
        var nameStart = i;
        while (i < line.Length && (char.IsAsciiLetterOrDigit(line[i]) || line[i] is '.' or '-' or '_' or ':'))
        {
            i++;
        }

        var name = line[nameStart..i];
        if (closing && !component)
        {
            var end = line.IndexOf('>', i);
            return end >= 0 && line.AsSpan(i, end - i).IsWhiteSpace() && opened?.Contains(name) == true ? end + 1 : null;
        }

        var expression = false;
        var braces = 0;
        char quote = '\0';
        for (; i < line.Length && i - start < MaxTagLength; i++)
        {
            var c = line[i];
            if (quote != '\0')
            {
                if (c == quote)
                {
                    quote = '\0';
                }
            }
            else if (braces > 0)
            {
                braces += c == '{' ? 1 : c == '}' ? -1 : 0;
                if (c is '"' or '\'' or '`')
                {
                    quote = c;
                }
            }
            else if (c is '"' or '\'')
            {
                quote = c;
            }
            else if (c == '{')
            {
                braces = 1;
                expression = true;
            }
            else if (c == '<')
            {
                return null;
            }
            else if (c == '>')
            {
                if (expression && !component)
                {
                    (opened ??= new HashSet<string>(StringComparer.Ordinal)).Add(name);
                }

                return component || expression ? i + 1 : null;
            }
        }

        return null;
    }

    /// <summary>
    /// Lines inside components lose their common indentation, run by run (a run ends at a dropped tag).
    /// </summary>
    private static IEnumerable<string> Dedent(List<(string Line, int Depth)> kept)
    {
        var start = 0;
        while (start < kept.Count)
        {
            if (kept[start].Depth == 0)
            {
                yield return kept[start].Line;
                start++;
                continue;
            }

            var end = start;
            while (end < kept.Count && kept[end].Depth == kept[start].Depth)
            {
                end++;
            }

            var indent = int.MaxValue;
            for (var j = start; j < end; j++)
            {
                var line = kept[j].Line;
                if (line.Trim().Length > 0)
                {
                    indent = Math.Min(indent, line.Length - line.TrimStart().Length);
                }
            }

            for (var j = start; j < end; j++)
            {
                var line = kept[j].Line;
                yield return line.Trim().Length == 0 ? "" : line[Math.Min(indent, line.Length)..];
            }

            start = end;
        }
    }

    private static bool IsStatementStart(string line) => Statement().IsMatch(line);

    /// <summary>
    /// The line after an import/export statement: it ends at a blank line once its brackets are
    /// balanced, as MDX reads it.
    /// </summary>
    private static int AfterStatement(string[] lines, int start)
    {
        var balance = 0;
        var i = start;
        for (; i < lines.Length && i - start < MaxStatementLines; i++)
        {
            if (i > start && balance <= 0 && (lines[i].Trim().Length == 0 || lines[i].StartsWith('#') || lines[i].StartsWith('<')))
            {
                return i;
            }

            foreach (var c in lines[i])
            {
                balance += c switch
                {
                    '(' or '[' or '{' => 1,
                    ')' or ']' or '}' => -1,
                    _ => 0,
                };
            }
        }

        return i;
    }

    /// <summary>The line that closes a tag spread over several lines.</summary>
    private static int? TagEnd(string[] lines, int start)
    {
        for (var i = start; i < lines.Length && i - start < MaxTagLines; i++)
        {
            if (i > start && lines[i].Trim().Length == 0)
            {
                return null;
            }

            var trimmed = lines[i].TrimEnd();
            if (i > start && trimmed.EndsWith('>'))
            {
                return i;
            }
        }

        return null;
    }

    private static string Indentation(string line) => line[..(line.Length - line.TrimStart().Length)];

    [GeneratedRegex(@"^(?:import(?:\s+[\w*{$]|\s*\{|\s*['""])|export(?:\s+(?:const|let|var|function|async|default|class|type|interface)\b|\s*[{*]))", RegexOptions.CultureInvariant, 1000)]
    private static partial Regex Statement();

    [GeneratedRegex(@"^export\s+const\s+(?<name>title|description)\s*=\s*(?<q>[""'`])(?<value>(?:\\.|(?!\k<q>).)*)\k<q>", RegexOptions.CultureInvariant | RegexOptions.Multiline, 1000)]
    private static partial Regex ExportedText();

    [GeneratedRegex(@"^\{/\*.*\*/\}$", RegexOptions.CultureInvariant, 1000)]
    private static partial Regex Comment();

    [GeneratedRegex(@"^<(?<name>[A-Z][\w.]*)(?:\s[^<>]*)?>(?<inner>.*)</\k<name>>$", RegexOptions.CultureInvariant, 1000)]
    private static partial Regex InlineWrapper();

    [GeneratedRegex(@"^<[A-Z][\w.]*(?:\s[^<>]*)?/>$", RegexOptions.CultureInvariant, 1000)]
    private static partial Regex SelfClosing();

    [GeneratedRegex(@"^(?:<[A-Z][\w.]*(?:\s[^<>]*)?>|<>)$", RegexOptions.CultureInvariant, 1000)]
    private static partial Regex Opening();

    [GeneratedRegex(@"^(?:</[A-Z][\w.]*\s*>|</>)$", RegexOptions.CultureInvariant, 1000)]
    private static partial Regex Closing();

    [GeneratedRegex(@"^<[A-Z][\w.]*(?:\s[^<>]*)?$", RegexOptions.CultureInvariant, 1000)]
    private static partial Regex OpeningStart();
}
