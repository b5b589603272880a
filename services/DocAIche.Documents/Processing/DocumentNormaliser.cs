using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using DocAIche.Documents.Model;

namespace DocAIche.Documents.Processing;

/// <summary>A document as stored and chunked: Markdown with a title and a hash of the text.</summary>
internal sealed record NormalisedDocument(string Title, string Markdown, string ContentHash, Uri? Canonical, IReadOnlyList<Uri> Links);

/// <summary>Turns fetched or uploaded content of any supported kind into tidy Markdown.</summary>
internal static partial class DocumentNormaliser
{
    public static NormalisedDocument Normalise(string content, ContentKind kind, string fallbackTitle, Uri? pageUrl = null)
    {
        ArgumentNullException.ThrowIfNull(content);
        ArgumentNullException.ThrowIfNull(fallbackTitle);
        var text = Prepare(content);
        switch (kind)
        {
            case ContentKind.Html:
                return HtmlToMarkdown.Convert(text, pageUrl, fallbackTitle);
            case ContentKind.PlainText:
                return Finish(null, text, fallbackTitle, null, []);
            case ContentKind.ReStructuredText:
                var converted = RestructuredText.ToMarkdown(text);
                return Finish(FirstHeading(converted), converted, fallbackTitle, null, Links(converted, pageUrl));
            case ContentKind.Markdown or ContentKind.Mdx:
                var (frontTitle, description, body) = FrontMatter(text);
                body = HeadingIds.Canonical(body); // before MDX, which would take {/*id*/} for a comment
                // react.dev and others write MDX in .md files: what MDX would render is what counts.
                if (kind == ContentKind.Mdx || Mdx.LooksLikeMdx(body))
                {
                    var page = Mdx.Convert(body);
                    body = page.Markdown;
                    frontTitle ??= page.Title;
                    description ??= page.Description;
                }

                body = WithDescription(body, description);
                return Finish(frontTitle ?? FirstHeading(body), body, fallbackTitle, null, Links(body, pageUrl));
            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, "Not a content kind the normaliser knows.");
        }
    }

    /// <summary>Makes the Markdown safe to render (<see cref="MarkdownSanitiser"/>), tidies it, picks the title and hashes the text.</summary>
    internal static NormalisedDocument Finish(string? title, string markdown, string fallbackTitle, Uri? canonical, IReadOnlyList<Uri> links)
    {
        var tidy = Tidy(MarkdownSanitiser.Sanitise(HeadingIds.Canonical(Prepare(markdown))));
        var cleanTitle = CleanTitle(title);
        if (cleanTitle.Length == 0)
        {
            cleanTitle = CleanTitle(fallbackTitle);
        }

        return new NormalisedDocument(cleanTitle, tidy, Hash(tidy), canonical, links);
    }

    /// <summary>Lowercase hex SHA-256 of the UTF-8 text.</summary>
    internal static string Hash(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    /// <summary>Unix line endings, no byte order mark, no NUL (PostgreSQL text cannot hold it).</summary>
    private static string Prepare(string content)
    {
        var text = content;
        if (text.StartsWith('\uFEFF'))
        {
            text = text[1..];
        }

        if (text.Contains('\r', StringComparison.Ordinal))
        {
            text = text.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n');
        }

        return text.Contains('\0', StringComparison.Ordinal) ? text.Replace("\0", "", StringComparison.Ordinal) : text;
    }

    /// <summary>
    /// Trailing whitespace trimmed and blank-line runs collapsed to one, outside fenced code;
    /// code keeps its lines exactly.
    /// </summary>
    internal static string Tidy(string markdown)
    {
        var output = new StringBuilder(markdown.Length);
        var fence = new FenceTracker();
        var blankRun = 0;
        foreach (var range in markdown.AsSpan().Split('\n'))
        {
            var line = markdown.AsSpan(range);
            var wasInside = fence.Inside;
            var inFence = fence.Step(line);
            var isCode = inFence && wasInside && fence.Inside; // a content line, not a fence
            if (!isCode)
            {
                line = line.TrimEnd();
                if (line.IsEmpty)
                {
                    blankRun++;
                    continue;
                }
            }

            if (output.Length > 0)
            {
                output.Append('\n');
                if (blankRun > 0)
                {
                    output.Append('\n');
                }
            }

            blankRun = 0;
            output.Append(line);
        }

        return output.ToString().TrimEnd();
    }

    /// <summary>
    /// A page's description (front matter or an MDX export) as its first paragraph, after a leading
    /// level-one heading: it is what the page says it is about, and the page is searched by it.
    /// </summary>
    internal static string WithDescription(string body, string? description)
    {
        if (string.IsNullOrWhiteSpace(description))
        {
            return body;
        }

        var paragraph = HtmlToMarkdown.Collapse(description).Trim();
        var start = 0;
        while (start < body.Length && body[start] == '\n')
        {
            start++;
        }

        var lineEnd = body.IndexOf('\n', start);
        var firstLine = lineEnd < 0 ? body[start..] : body[start..lineEnd];
        if (AtxHeading().Match(firstLine) is { Success: true } heading && heading.Groups["level"].Length == 1)
        {
            var after = lineEnd < 0 ? body.Length : lineEnd;
            return body[..after] + "\n\n" + paragraph + "\n\n" + body[after..].TrimStart('\n');
        }

        return paragraph + "\n\n" + body[start..];
    }

    /// <summary>Removes YAML (---) or TOML (+++) front matter; returns its title and description, if any.</summary>
    internal static (string? Title, string? Description, string Body) FrontMatter(string text)
    {
        var delimiter = text.StartsWith("---\n", StringComparison.Ordinal) ? "---"
            : text.StartsWith("+++\n", StringComparison.Ordinal) ? "+++"
            : null;
        if (delimiter is null)
        {
            return (null, null, text);
        }

        var lines = text.Split('\n');
        var close = -1;
        for (var i = 1; i < lines.Length; i++)
        {
            var line = lines[i].TrimEnd();
            if (line == delimiter || (delimiter == "---" && line == "..."))
            {
                close = i;
                break;
            }
        }

        // A thematic break at the top of a page, not front matter.
        if (close < 0 || !LooksLikeFrontMatter(lines.AsSpan(1, close - 1), delimiter))
        {
            return (null, null, text);
        }

        var title = FrontMatterValue(lines, close, delimiter == "---" ? YamlKey() : TomlKey(), "title");
        var description = FrontMatterValue(lines, close, delimiter == "---" ? YamlKey() : TomlKey(), "description");
        return (title, description, string.Join('\n', lines.Skip(close + 1)));
    }

    /// <summary>The value of a top-level front matter key (a quoted or plain scalar, or a block scalar).</summary>
    private static string? FrontMatterValue(string[] lines, int close, Regex keyLine, string key)
    {
        for (var i = 1; i < close; i++)
        {
            var match = keyLine.Match(lines[i]);
            if (!match.Success || !match.Groups["key"].Value.Equals(key, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var value = match.Groups["value"].Value.Trim();
            if (value is "|" or ">" or "|-" or ">-" or "|+" or ">+")
            {
                // A block scalar: the indented lines that follow.
                var parts = new List<string>();
                for (var j = i + 1; j < close && (lines[j].StartsWith(' ') || lines[j].StartsWith('\t')); j++)
                {
                    parts.Add(lines[j].Trim());
                }

                value = string.Join(' ', parts);
            }
            else
            {
                value = Scalar(value);
            }

            return value.Length > 0 ? value : null;
        }

        return null;
    }

    private static bool LooksLikeFrontMatter(ReadOnlySpan<string> lines, string delimiter)
    {
        foreach (var line in lines)
        {
            var trimmed = line.Trim();
            if (trimmed.Length == 0 || trimmed.StartsWith('#'))
            {
                continue;
            }

            return delimiter == "---" ? trimmed.Contains(':', StringComparison.Ordinal) || trimmed.StartsWith('-') : trimmed.Contains('=', StringComparison.Ordinal) || trimmed.StartsWith('[');
        }

        return true;
    }

    private static string Scalar(string value)
    {
        if (value.Length >= 2 && value[0] == '"' && value.LastIndexOf('"') > 0)
        {
            var inner = value[1..value.LastIndexOf('"')];
            return inner.Replace("\\\"", "\"", StringComparison.Ordinal).Replace("\\\\", "\\", StringComparison.Ordinal);
        }

        if (value.Length >= 2 && value[0] == '\'' && value.LastIndexOf('\'') > 0)
        {
            return value[1..value.LastIndexOf('\'')].Replace("''", "'", StringComparison.Ordinal);
        }

        var comment = value.IndexOf(" #", StringComparison.Ordinal);
        return (comment >= 0 ? value[..comment] : value).Trim();
    }

    /// <summary>The text of the first level-one heading outside code, ATX or setext.</summary>
    internal static string? FirstHeading(string markdown)
    {
        var fence = new FenceTracker();
        string? previous = null;
        foreach (var range in markdown.AsSpan().Split('\n'))
        {
            var line = markdown[range];
            if (fence.Step(line))
            {
                previous = null;
                continue;
            }

            var atx = AtxHeading().Match(line);
            if (atx.Success)
            {
                if (atx.Groups["level"].Length == 1 && atx.Groups["text"].Value.Trim().Length > 0)
                {
                    return atx.Groups["text"].Value.Trim();
                }

                previous = null;
                continue;
            }

            if (previous is not null && SetextOne().IsMatch(line))
            {
                return previous.Trim();
            }

            previous = line.Trim().Length == 0 || line.StartsWith("    ", StringComparison.Ordinal) ? null : line;
        }

        return null;
    }

    /// <summary>A title as plain text: Markdown syntax and markup removed, whitespace collapsed, length capped.</summary>
    internal static string CleanTitle(string? title)
    {
        if (string.IsNullOrWhiteSpace(title))
        {
            return "";
        }

        var text = HeadingIds.Split(title).Text;
        text = MarkdownLink().Replace(text, "${text}");
        text = HtmlTag().Replace(text, "");
        text = TitleMarkup().Replace(text, "");
        text = text.Replace("\\", "", StringComparison.Ordinal);
        text = HtmlToMarkdown.Collapse(text).Trim('#', ' ', '¶');
        if (text.Length > Document.TitleMaxLength)
        {
            var cut = text.LastIndexOf(' ', Document.TitleMaxLength - 1);
            text = text[..(cut > Document.TitleMaxLength / 2 ? cut : Document.TitleMaxLength - 1)].TrimEnd() + "…";
        }

        return text;
    }

    private static IReadOnlyList<Uri> Links(string markdown, Uri? pageUrl) => pageUrl is null ? [] : MarkdownLinks.Extract(markdown, pageUrl);

    [GeneratedRegex(@"^(?<key>title|description)\s*:(?<value>.*)$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, 1000)]
    private static partial Regex YamlKey();

    [GeneratedRegex(@"^(?<key>title|description)\s*=(?<value>.*)$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, 1000)]
    private static partial Regex TomlKey();

    [GeneratedRegex(@"^ {0,3}(?<level>#{1,6})(?:[ \t]+(?<text>.*?))?(?:[ \t]+#+)?[ \t]*$", RegexOptions.CultureInvariant, 1000)]
    private static partial Regex AtxHeading();

    [GeneratedRegex(@"^ {0,3}=+[ \t]*$", RegexOptions.CultureInvariant, 1000)]
    private static partial Regex SetextOne();

    [GeneratedRegex(@"!?\[(?<text>[^\]]*)\]\([^)]*\)", RegexOptions.CultureInvariant, 1000)]
    private static partial Regex MarkdownLink();

    [GeneratedRegex(@"</?[A-Za-z][^>]*>", RegexOptions.CultureInvariant, 1000)]
    private static partial Regex HtmlTag();

    [GeneratedRegex(@"[*`]|(?<![\w])_+|_+(?![\w])", RegexOptions.CultureInvariant, 1000)]
    private static partial Regex TitleMarkup();

}
