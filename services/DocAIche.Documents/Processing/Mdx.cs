using System.Text.RegularExpressions;

namespace DocAIche.Documents.Processing;

/// <summary>
/// MDX to plain Markdown: module imports and exports go, JSX component tags go while the text
/// they wrap stays (dedented, since MDX allows indentation inside components that Markdown reads as
/// code). Fenced code is never touched.
/// </summary>
internal static partial class Mdx
{
    private const int MaxStatementLines = 500;
    private const int MaxTagLines = 50;

    public static string ToMarkdown(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
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
                i = AfterStatement(lines, i);
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

            kept.Add((line, depth));
            i++;
        }

        return string.Join('\n', Dedent(kept));
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
