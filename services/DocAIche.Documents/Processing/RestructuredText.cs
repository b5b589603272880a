using System.Text.RegularExpressions;

namespace DocAIche.Documents.Processing;

/// <summary>
/// reStructuredText to Markdown for what matters to a reader and to chunking: section titles,
/// code, admonitions, literals and links. Anything else is kept as text.
/// </summary>
internal static partial class RestructuredText
{
    private const int MaxNesting = 8;

    private static readonly HashSet<string> CodeDirectives = new(StringComparer.OrdinalIgnoreCase) { "code-block", "code", "sourcecode" };

    private static readonly Dictionary<string, string> Admonitions = new(StringComparer.OrdinalIgnoreCase)
    {
        ["note"] = "Note", ["warning"] = "Warning", ["tip"] = "Tip", ["important"] = "Important", ["caution"] = "Caution",
        ["danger"] = "Danger", ["attention"] = "Attention", ["error"] = "Error", ["hint"] = "Hint", ["seealso"] = "See also",
        ["todo"] = "To do", ["versionadded"] = "New in version", ["versionchanged"] = "Changed in version",
        ["deprecated"] = "Deprecated since version", ["admonition"] = "",
    };

    // Directives that render navigation, metadata or nothing a reader sees.
    private static readonly HashSet<string> Invisible = new(StringComparer.OrdinalIgnoreCase)
    {
        "toctree", "contents", "index", "meta", "raw", "include", "highlight", "role", "default-role", "currentmodule",
        "module", "tabularcolumns", "autosummary", "sectnum", "header", "footer", "target-notes", "title",
    };

    // Directives that only group or condition their content.
    private static readonly HashSet<string> Transparent = new(StringComparer.OrdinalIgnoreCase)
    {
        "only", "container", "compound", "topic", "sidebar", "rst-class", "tab-set", "tab-item", "tabs", "tab", "group-tab",
    };

    // Roles whose text is code.
    private static readonly HashSet<string> CodeRoles = new(StringComparer.OrdinalIgnoreCase)
    {
        "func", "meth", "class", "attr", "mod", "obj", "exc", "data", "const", "envvar", "program", "option", "file",
        "command", "samp", "kbd", "code", "literal", "any", "member", "macro", "type", "var", "enum", "struct",
        "function", "expr", "texpr", "prop", "event", "interface", "property",
    };

    public static string ToMarkdown(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var converter = new Converter();
        return string.Join('\n', converter.Convert(text.Split('\n'), 0));
    }

    private sealed class Converter
    {
        // Section levels go to adornment styles in the order they first appear, as docutils does.
        private readonly List<(char Mark, bool Overline)> styles = [];
        private string highlight = "";

        public List<string> Convert(string[] lines, int nesting)
        {
            var output = new List<string>();
            var i = 0;
            var blockStart = true;
            while (i < lines.Length)
            {
                var line = lines[i];
                if (line.Trim().Length == 0)
                {
                    output.Add("");
                    blockStart = true;
                    i++;
                    continue;
                }

                if (blockStart && Section(lines, i, out var heading, out var consumed))
                {
                    output.Add(heading);
                    output.Add("");
                    i += consumed;
                    continue;
                }

                if (blockStart && IsAdornment(line) && line.TrimEnd().Length >= 4 && (i + 1 == lines.Length || lines[i + 1].Trim().Length == 0))
                {
                    output.Add("---");
                    i++;
                    continue;
                }

                var explicitMarkup = ExplicitMarkup().Match(line);
                if (blockStart && explicitMarkup.Success)
                {
                    i = Explicit(lines, i, nesting, output);
                    continue;
                }

                i = Paragraph(lines, i, output);
                blockStart = false;
            }

            return output;
        }

        private bool Section(string[] lines, int i, out string heading, out int consumed)
        {
            heading = "";
            consumed = 0;
            var line = lines[i];

            // Overline, title, underline of the same character.
            if (IsAdornment(line) && i + 2 < lines.Length && lines[i + 1].Trim().Length > 0 && !IsAdornment(lines[i + 1])
                && IsAdornment(lines[i + 2]) && lines[i + 2].TrimEnd()[0] == line[0])
            {
                heading = Heading(line[0], overline: true, lines[i + 1].Trim());
                consumed = 3;
                return true;
            }

            if (!char.IsWhiteSpace(line[0]) && !IsAdornment(line) && i + 1 < lines.Length && IsAdornment(lines[i + 1]))
            {
                var title = line.Trim();
                var underline = lines[i + 1].TrimEnd();
                if (underline.Length >= 4 || underline.Length >= title.Length)
                {
                    heading = Heading(underline[0], overline: false, title);
                    consumed = 2;
                    return true;
                }
            }

            return false;
        }

        private string Heading(char mark, bool overline, string title)
        {
            var index = styles.IndexOf((mark, overline));
            if (index < 0)
            {
                styles.Add((mark, overline));
                index = styles.Count - 1;
            }

            return new string('#', Math.Min(index + 1, 6)) + " " + Inline(title);
        }

        private int Paragraph(string[] lines, int start, List<string> output)
        {
            var end = start;
            while (end < lines.Length && lines[end].Trim().Length > 0)
            {
                end++;
            }

            var indent = Indentation(lines[start]);
            var paragraph = lines[start..end];

            // Doctest blocks: ">>>" would read as nested quotes in Markdown.
            if (paragraph[0].TrimStart().StartsWith(">>>", StringComparison.Ordinal))
            {
                Fence(output, indent, "pycon", Dedent(paragraph));
                return end;
            }

            var last = paragraph[^1].TrimEnd();
            var literal = last.EndsWith("::", StringComparison.Ordinal);
            if (literal)
            {
                paragraph[^1] = last.Trim() == "::" ? ""
                    : last.EndsWith(" ::", StringComparison.Ordinal) ? last[..^3]
                    : last[..^1];
            }

            foreach (var line in Inline(string.Join('\n', paragraph)).Split('\n'))
            {
                if (line.Trim().Length > 0)
                {
                    output.Add(EnumeratedItem().Replace(line, "${indent}1. "));
                }
            }

            if (!literal)
            {
                return end;
            }

            // The literal block: the more indented lines after the paragraph.
            var next = end;
            while (next < lines.Length && lines[next].Trim().Length == 0)
            {
                next++;
            }

            if (next == lines.Length || Indentation(lines[next]).Length <= indent.Length)
            {
                return end;
            }

            var blockEnd = BlockEnd(lines, next, indent.Length);
            output.Add("");
            Fence(output, indent, highlight, Dedent(lines[next..blockEnd]));
            return blockEnd;
        }

        /// <summary>A directive, target, comment or footnote starting at ".. ".</summary>
        private int Explicit(string[] lines, int start, int nesting, List<string> output)
        {
            var line = lines[start];
            var indent = Indentation(line);
            var end = BlockEnd(lines, start + 1, indent.Length);
            var directive = Directive().Match(line);
            if (!directive.Success)
            {
                // Footnotes and citations are text; targets and comments render nothing.
                if (Footnote().Match(line) is { Success: true } footnote)
                {
                    output.Add(indent + Inline(footnote.Groups["label"].Value + " " + footnote.Groups["text"].Value).Trim());
                    output.AddRange(Convert(Dedent(lines[(start + 1)..end]), nesting + 1).Select(l => l.Length == 0 ? l : indent + "   " + l));
                }

                return end;
            }

            var name = directive.Groups["name"].Value;
            var argument = directive.Groups["argument"].Value.Trim();
            var (options, body) = SplitOptions(lines[(start + 1)..end]);

            if (CodeDirectives.Contains(name))
            {
                var language = argument.Length > 0 ? argument.Split(' ')[0] : highlight;
                Fence(output, indent, language, Dedent(body));
                return end;
            }

            if (name.Equals("highlight", StringComparison.OrdinalIgnoreCase))
            {
                highlight = argument.Split(' ')[0];
                return end;
            }

            if (name.Equals("image", StringComparison.OrdinalIgnoreCase) || name.Equals("figure", StringComparison.OrdinalIgnoreCase))
            {
                if (options.TryGetValue("alt", out var alt) && alt.Length > 0 && argument.Length > 0)
                {
                    output.Add(indent + "![" + alt.Replace("]", "\\]", StringComparison.Ordinal) + "](" + argument + ")");
                }

                AddConverted(output, indent, body, nesting);
                return end;
            }

            if (Admonitions.TryGetValue(name, out var label))
            {
                Admonition(output, indent, name, label, argument, body, nesting);
                return end;
            }

            // autodoc directives ("autoclass") are filled in from code at build time: nothing to read here.
            if (Invisible.Contains(name) || name.StartsWith("auto", StringComparison.OrdinalIgnoreCase))
            {
                return end;
            }

            if (Transparent.Contains(name))
            {
                if (argument.Length > 0 && name is "topic" or "sidebar")
                {
                    output.Add(indent + "**" + Inline(argument) + "**");
                    output.Add("");
                }

                AddConverted(output, indent, body, nesting);
                return end;
            }

            if (name.Equals("rubric", StringComparison.OrdinalIgnoreCase))
            {
                output.Add(indent + "**" + Inline(argument) + "**");
                return end;
            }

            // Anything else stays as written, its content converted.
            output.Add(line.TrimEnd());
            output.Add("");
            AddConverted(output, indent, body, nesting);
            return end;
        }

        private void Admonition(List<string> output, string indent, string name, string label, string argument, string[] body, int nesting)
        {
            var content = new List<string>();
            if (name.Equals("admonition", StringComparison.OrdinalIgnoreCase))
            {
                label = Inline(argument);
            }
            else if (name.StartsWith("version", StringComparison.OrdinalIgnoreCase) || name.Equals("deprecated", StringComparison.OrdinalIgnoreCase))
            {
                var parts = argument.Split(' ', 2);
                label += " " + parts[0];
                if (parts.Length > 1)
                {
                    content.Add(Inline(parts[1]));
                }
            }
            else if (argument.Length > 0)
            {
                content.Add(Inline(argument));
            }

            content.AddRange(nesting < MaxNesting ? Convert(Dedent(body), nesting + 1) : Dedent(body));
            while (content.Count > 0 && content[^1].Trim().Length == 0)
            {
                content.RemoveAt(content.Count - 1);
            }

            while (content.Count > 0 && content[0].Trim().Length == 0)
            {
                content.RemoveAt(0);
            }

            var title = label.Length > 0 ? "**" + label + ":**" : "";
            if (title.Length > 0)
            {
                var first = content.Count > 0 ? content[0].TrimStart() : "";
                if (first.Length > 0 && (char.IsLetterOrDigit(first[0]) || first[0] is '(' or '"' or '\'' || first.StartsWith('`') && !first.StartsWith("```", StringComparison.Ordinal)))
                {
                    content[0] = title + " " + first;
                }
                else
                {
                    content.InsertRange(0, content.Count > 0 ? [title, ""] : [title]);
                }
            }

            output.Add("");
            foreach (var line in content)
            {
                output.Add(line.Length == 0 ? indent + ">" : indent + "> " + line);
            }

            output.Add("");
        }

        private void AddConverted(List<string> output, string indent, string[] body, int nesting)
        {
            var converted = nesting < MaxNesting ? Convert(Dedent(body), nesting + 1) : Dedent(body).ToList();
            output.AddRange(converted.Select(l => l.Length == 0 ? l : indent + l));
        }

        private static void Fence(List<string> output, string indent, string language, string[] code)
        {
            var start = 0;
            var end = code.Length;
            while (start < end && code[start].Trim().Length == 0)
            {
                start++;
            }

            while (end > start && code[end - 1].Trim().Length == 0)
            {
                end--;
            }

            var longest = 0;
            foreach (var line in code)
            {
                var run = 0;
                foreach (var c in line)
                {
                    run = c == '`' ? run + 1 : 0;
                    longest = Math.Max(longest, run);
                }
            }

            var fence = new string('`', Math.Max(3, longest + 1));
            output.Add(indent + fence + (IsLanguage(language) ? language.ToLowerInvariant() : ""));
            for (var i = start; i < end; i++)
            {
                output.Add(code[i].Length == 0 ? "" : indent + code[i]);
            }

            output.Add(indent + fence);
        }

        private static bool IsLanguage(string language) =>
            language.Length is > 0 and <= 40 && language.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '+' or '#' or '.');

        private static (Dictionary<string, string> Options, string[] Body) SplitOptions(string[] lines)
        {
            var options = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            var i = 0;
            while (i < lines.Length && Option().Match(lines[i]) is { Success: true } option)
            {
                options[option.Groups["name"].Value] = option.Groups["value"].Value.Trim();
                i++;
            }

            return (options, lines[i..]);
        }

        /// <summary>Index of the first non-blank line indented no more than <paramref name="indent"/>.</summary>
        private static int BlockEnd(string[] lines, int start, int indent)
        {
            var end = start;
            var lastContent = start;
            while (end < lines.Length)
            {
                if (lines[end].Trim().Length > 0)
                {
                    if (Indentation(lines[end]).Length <= indent)
                    {
                        break;
                    }

                    lastContent = end + 1;
                }

                end++;
            }

            // Trailing blank lines belong to what follows.
            return end == lines.Length ? end : Math.Max(lastContent, start);
        }

        private static string[] Dedent(string[] lines)
        {
            var indent = int.MaxValue;
            foreach (var line in lines)
            {
                if (line.Trim().Length > 0)
                {
                    indent = Math.Min(indent, Indentation(line).Length);
                }
            }

            return indent == int.MaxValue
                ? lines.Select(_ => "").ToArray()
                : lines.Select(l => l.Trim().Length == 0 ? "" : l[Math.Min(indent, l.Length)..].TrimEnd()).ToArray();
        }

        private static string Indentation(string line) => line[..(line.Length - line.TrimStart().Length)];
    }

    /// <summary>A line of one repeated punctuation character, as used over and under section titles.</summary>
    private static bool IsAdornment(string line)
    {
        var trimmed = line.TrimEnd();
        if (trimmed.Length < 3 || trimmed[0] is < '!' or > '~' || char.IsAsciiLetterOrDigit(trimmed[0]))
        {
            return false;
        }

        foreach (var c in trimmed)
        {
            if (c != trimmed[0])
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Inline markup: ``literals``, `links &lt;url&gt;`_, :roles:`text` and `references`_.</summary>
    internal static string Inline(string text) => InlineMarkup().Replace(text, match =>
    {
        if (match.Groups["literal"].Success)
        {
            return CodeSpan(match.Groups["literal"].Value);
        }

        if (match.Groups["role"].Success)
        {
            return Role(match.Groups["role"].Value, match.Groups["content"].Value);
        }

        if (match.Groups["url"].Success)
        {
            var url = match.Groups["url"].Value.Trim();
            var label = match.Groups["label"].Success ? match.Groups["label"].Value.Trim() : url;
            // "`text <name_>`_" points at a named target, which has no URL here.
            return url.EndsWith('_') ? label : "[" + label.Replace("]", "\\]", StringComparison.Ordinal) + "](" + url.Replace(" ", "%20", StringComparison.Ordinal) + ")";
        }

        return match.Groups["reference"].Value;
    });

    private static string Role(string role, string content)
    {
        var name = role.Contains(':', StringComparison.Ordinal) ? role[(role.LastIndexOf(':') + 1)..] : role;
        var titled = RoleTitle().Match(content);
        var text = titled.Success ? titled.Groups["title"].Value.Trim() : content.TrimStart('~', '!');
        if (!titled.Success && content.StartsWith('~'))
        {
            text = text[(text.LastIndexOf('.') + 1)..];
        }

        return name.ToLowerInvariant() switch
        {
            "pep" => "PEP " + text,
            "rfc" => "RFC " + text,
            "emphasis" => "*" + text + "*",
            "strong" => "**" + text + "**",
            "math" => "$" + text + "$",
            _ when CodeRoles.Contains(name) && !titled.Success => CodeSpan(text),
            _ => text,
        };
    }

    private static string CodeSpan(string code)
    {
        var longest = 0;
        var run = 0;
        foreach (var c in code)
        {
            run = c == '`' ? run + 1 : 0;
            longest = Math.Max(longest, run);
        }

        var ticks = new string('`', longest + 1);
        var pad = code.StartsWith('`') || code.EndsWith('`') ? " " : "";
        return ticks + pad + code + pad + ticks;
    }

    [GeneratedRegex(@"``(?<literal>[^`]+(?:`[^`]+)*)``|:(?<role>[A-Za-z][\w.+-]*(?::[\w.+-]+)*):`(?<content>[^`]+)`|`(?:(?<label>[^`<]*?)\s*)?<(?<url>[^<>`]+)>`__?|`(?<reference>[^`<>]+)`__?(?!\w)", RegexOptions.CultureInvariant, 1000)]
    private static partial Regex InlineMarkup();

    [GeneratedRegex(@"^(?<title>.*?)\s*<[^<>]+>$", RegexOptions.CultureInvariant | RegexOptions.Singleline, 1000)]
    private static partial Regex RoleTitle();

    [GeneratedRegex(@"^\s*\.\.(?:\s|$)", RegexOptions.CultureInvariant, 1000)]
    private static partial Regex ExplicitMarkup();

    [GeneratedRegex(@"^\s*\.\.\s+(?<name>[\w:.+-]+)::(?:\s+(?<argument>.*))?$", RegexOptions.CultureInvariant, 1000)]
    private static partial Regex Directive();

    [GeneratedRegex(@"^\s*\.\.\s+(?<label>\[[^\]]+\])\s*(?<text>.*)$", RegexOptions.CultureInvariant, 1000)]
    private static partial Regex Footnote();

    [GeneratedRegex(@"^\s*:(?<name>[\w-]+):(?<value>.*)$", RegexOptions.CultureInvariant, 1000)]
    private static partial Regex Option();

    [GeneratedRegex(@"^(?<indent>\s*)#\.\s", RegexOptions.CultureInvariant, 1000)]
    private static partial Regex EnumeratedItem();
}
