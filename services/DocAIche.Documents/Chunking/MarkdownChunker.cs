using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using DocAIche.Documents.Processing;
using Markdig;
using Markdig.Extensions.Tables;
using Markdig.Extensions.Yaml;
using Markdig.Syntax;
using Markdig.Syntax.Inlines;

namespace DocAIche.Documents.Chunking;

/// <summary>
/// A chunk before it is stored: its place in the document (breadcrumb, anchor, URL), the
/// languages of its code, its verbatim Markdown and a hash of breadcrumb and content.
/// </summary>
internal sealed record ChunkDraft(
    int Ordinal,
    string Breadcrumb,
    string? Anchor,
    string? Url,
    IReadOnlyList<string> Languages,
    string Content,
    string ContentHash);

/// <summary>
/// Cuts a Markdown document into chunks that follow its structure: every heading starts a
/// section, sections are packed into chunks near the target size, and code blocks and tables
/// are never cut unless they alone are too large. Content is sliced from the source, so it is
/// kept verbatim.
/// </summary>
internal sealed partial class MarkdownChunker(ChunkingOptions options)
{
    private const string Separator = "\n\n";

    private static readonly MarkdownPipeline Pipeline = new MarkdownPipelineBuilder()
        .UseYamlFrontMatter()
        .UsePipeTables()
        .UseCustomContainers()
        .Build();

    private readonly ChunkingOptions options = Checked(options);

    public IReadOnlyList<ChunkDraft> Chunk(string markdown, string title, Uri? documentUrl)
    {
        ArgumentNullException.ThrowIfNull(markdown);
        ArgumentNullException.ThrowIfNull(title);
        var text = markdown.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n');
        if (string.IsNullOrWhiteSpace(text))
        {
            return [];
        }

        var sections = Sections(Pieces(text), title.Trim());
        var drafts = new List<(Section Section, List<Piece> Pieces)>();
        List<Piece> carried = [];
        for (var i = 0; i < sections.Count; i++)
        {
            var section = sections[i];
            var next = i + 1 < sections.Count ? sections[i + 1] : null;

            // A heading with (almost) nothing under it says little alone: it goes into the next
            // chunk, when that chunk is its own subsection or the heading is all there is.
            if (next is not null && section.Level > 0
                && (section.Pieces.Count == 1 || (next.Level > section.Level && section.Length < options.TargetCharacters / 4)))
            {
                carried.AddRange(section.Pieces);
                continue;
            }

            Pack(section, carried, drafts);
            carried = [];
        }

        var chunks = new List<ChunkDraft>(drafts.Count);
        foreach (var (section, pieces) in drafts)
        {
            var content = string.Join(Separator, pieces.Select(p => p.Text));
            var languages = pieces.SelectMany(p => p.Languages).Distinct(StringComparer.Ordinal).ToList();
            chunks.Add(new ChunkDraft(
                chunks.Count,
                section.Breadcrumb,
                section.Anchor,
                Url(documentUrl, section.Anchor),
                languages,
                content,
                Hash(section.Breadcrumb + "\n" + content)));
        }

        return chunks;
    }

    /// <summary>GitHub's heading slug: lowercase, punctuation dropped, each space a hyphen.</summary>
    internal static string Slug(string heading)
    {
        var slug = new StringBuilder(heading.Length);
        foreach (var c in heading.Trim().ToLowerInvariant())
        {
            if (char.IsLetterOrDigit(c) || c is '-' or '_'
                || CharUnicodeInfo.GetUnicodeCategory(c) is UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark
                    or UnicodeCategory.EnclosingMark or UnicodeCategory.ConnectorPunctuation)
            {
                slug.Append(c);
            }
            else if (char.IsWhiteSpace(c))
            {
                slug.Append('-');
            }
        }

        return slug.ToString();
    }

    private static ChunkingOptions Checked(ChunkingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.EnsureValid();
        return options;
    }

    /// <summary>The document's top-level blocks, each sliced from the source.</summary>
    private static List<Piece> Pieces(string text)
    {
        MarkdownDocument document;
        try
        {
            document = Markdown.Parse(text, Pipeline);
        }
        catch (ArgumentException)
        {
            // Markdig refuses absurdly deep nesting; such a document is chunked as plain paragraphs.
            return Paragraphs(text);
        }

        var blocks = document.Where(b => b is not YamlFrontMatterBlock).ToList();
        var starts = blocks.Select(b => LineStart(text, b.Span.Start)).ToList();
        var pieces = new List<Piece>(blocks.Count);
        for (var i = 0; i < blocks.Count; i++)
        {
            // Up to the next block rather than to the block's own end: Markdig's span of an
            // unclosed fence stops at the fence, and nothing may be lost.
            var start = starts[i];
            var end = i + 1 < blocks.Count ? Math.Max(start, starts[i + 1]) : text.Length;

            var slice = text[start..end].TrimEnd();
            if (slice.Trim().Length == 0)
            {
                continue;
            }

            pieces.Add(blocks[i] switch
            {
                HeadingBlock heading => Heading(heading, slice),
                FencedCodeBlock fenced => new Piece(PieceKind.Code, slice, Languages([fenced])),
                CodeBlock => new Piece(PieceKind.Code, slice, []),
                Table => new Piece(PieceKind.Table, slice, []),
                ContainerBlock container => new Piece(PieceKind.Text, slice, Languages(container.Descendants<FencedCodeBlock>())),
                _ => new Piece(PieceKind.Text, slice, []),
            });
        }

        return pieces;
    }

    private static List<Piece> Paragraphs(string text) =>
        text.Split("\n\n", StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(p => new Piece(PieceKind.Text, p, []))
            .ToList();

    private static int LineStart(string text, int position)
    {
        position = Math.Clamp(position, 0, text.Length);
        var newline = position == 0 ? -1 : text.LastIndexOf('\n', position - 1);
        return newline + 1;
    }

    private static Piece Heading(HeadingBlock heading, string slice)
    {
        // "## Title {#custom-id}" (DocumentNormaliser writes every known id syntax so): the id is the
        // anchor, and neither the heading's text nor the chunk's shows it.
        var (text, explicitId) = HeadingIds.Split(InlineText(heading.Inline, 0).Trim());
        if (explicitId is not null)
        {
            slice = ExplicitIdInSlice().Replace(slice, "", 1);
        }

        return new Piece(PieceKind.Heading, slice, [], heading.Level, text, explicitId);
    }

    private static string InlineText(ContainerInline? container, int depth)
    {
        if (container is null || depth > 32)
        {
            return "";
        }

        var text = new StringBuilder();
        for (var inline = container.FirstChild; inline is not null; inline = inline.NextSibling)
        {
            switch (inline)
            {
                case LiteralInline literal:
                    text.Append(literal.Content.ToString());
                    break;
                case CodeInline code:
                    text.Append(code.Content);
                    break;
                case LineBreakInline:
                    text.Append(' ');
                    break;
                case HtmlEntityInline entity:
                    text.Append(entity.Transcoded.ToString());
                    break;
                case AutolinkInline autolink:
                    text.Append(autolink.Url);
                    break;
                case ContainerInline nested:
                    text.Append(InlineText(nested, depth + 1));
                    break;
            }
        }

        return text.ToString();
    }

    private static List<string> Languages(IEnumerable<FencedCodeBlock> blocks)
    {
        var languages = new List<string>();
        foreach (var block in blocks)
        {
            var info = (block.Info ?? "").Trim().Trim('{', '}', '.').Split([' ', '\t', ',', '{', '}'], 2)[0].Trim('.').ToLowerInvariant();
            if (info.Length > 0 && !languages.Contains(info))
            {
                languages.Add(info);
            }
        }

        return languages;
    }

    private static List<Section> Sections(List<Piece> pieces, string title)
    {
        var sections = new List<Section>();
        var path = new List<(int Level, string Text)>();
        var slugs = new Dictionary<string, int>(StringComparer.Ordinal);
        var current = new Section(title, null, 0);
        foreach (var piece in pieces)
        {
            if (piece.Kind != PieceKind.Heading)
            {
                current.Pieces.Add(piece);
                continue;
            }

            if (current.Pieces.Count > 0)
            {
                sections.Add(current);
            }

            while (path.Count > 0 && path[^1].Level >= piece.Level)
            {
                path.RemoveAt(path.Count - 1);
            }

            path.Add((piece.Level, piece.HeadingText ?? ""));
            var crumbs = path
                .Where(h => h.Text.Length > 0 && !(h.Level == 1 && string.Equals(h.Text, title, StringComparison.OrdinalIgnoreCase)))
                .Select(h => h.Text);
            var breadcrumb = string.Join(" > ", title.Length > 0 ? crumbs.Prepend(title) : crumbs);
            current = new Section(breadcrumb, piece.ExplicitId ?? UniqueSlug(piece.HeadingText ?? "", slugs), piece.Level);
            current.Pieces.Add(piece);
        }

        if (current.Pieces.Count > 0)
        {
            sections.Add(current);
        }

        return sections;
    }

    /// <summary>The slug, with "-1", "-2"... for repeats in the document, as GitHub numbers them.</summary>
    private static string? UniqueSlug(string heading, Dictionary<string, int> seen)
    {
        var original = Slug(heading);
        if (original.Length == 0)
        {
            return null;
        }

        var slug = original;
        while (seen.ContainsKey(slug))
        {
            seen[original]++;
            slug = original + "-" + seen[original].ToString(CultureInfo.InvariantCulture);
        }

        seen[slug] = 0;
        return slug;
    }

    private void Pack(Section section, List<Piece> carried, List<(Section, List<Piece>)> drafts)
    {
        var current = new List<Piece>(carried);
        var hasBody = false;
        foreach (var piece in section.Pieces)
        {
            var length = TotalLength(current);
            if (piece.Text.Length > options.MaxCharacters)
            {
                // The first part fills what is left of the current chunk, if that is worth it.
                var room = options.MaxCharacters - length - Separator.Length;
                if (hasBody || room < options.MaxCharacters / 4)
                {
                    Flush(section, current, drafts);
                    current = [];
                    room = options.MaxCharacters;
                }

                var limit = piece.Kind is PieceKind.Code or PieceKind.Table ? options.MaxCharacters : options.TargetCharacters;
                var parts = Split(piece, Math.Min(room, limit), limit);
                for (var p = 0; p < parts.Count; p++)
                {
                    current.Add(parts[p]);
                    if (p < parts.Count - 1)
                    {
                        Flush(section, current, drafts);
                        current = [];
                    }
                }

                hasBody = true;
                continue;
            }

            if (hasBody && length + Separator.Length + piece.Text.Length > options.TargetCharacters)
            {
                Flush(section, current, drafts);
                var overlap = Overlap(current);
                current = overlap is not null && overlap.Text.Length + Separator.Length + piece.Text.Length <= options.MaxCharacters
                    ? [overlap]
                    : [];
                hasBody = false;
            }

            current.Add(piece);
            hasBody |= piece.Kind != PieceKind.Heading;
        }

        Flush(section, current, drafts);
    }

    private static void Flush(Section section, List<Piece> pieces, List<(Section, List<Piece>)> drafts)
    {
        if (pieces.Count > 0)
        {
            drafts.Add((section, [.. pieces]));
        }
    }

    /// <summary>
    /// The last paragraph(s) of a chunk, up to the overlap size; the end of the last one when
    /// none fits whole. Never code or a table: half a code block misleads.
    /// </summary>
    private Piece? Overlap(List<Piece> previous)
    {
        if (options.OverlapCharacters == 0 || previous.Count == 0 || previous[^1].Kind != PieceKind.Text)
        {
            return null;
        }

        var taken = new List<string>();
        var length = 0;
        for (var i = previous.Count - 1; i >= 0 && previous[i].Kind == PieceKind.Text; i--)
        {
            var text = previous[i].Text;
            if (length + text.Length + (taken.Count > 0 ? Separator.Length : 0) > options.OverlapCharacters)
            {
                break;
            }

            taken.Insert(0, text);
            length += text.Length + (taken.Count > 1 ? Separator.Length : 0);
        }

        if (taken.Count > 0)
        {
            return new Piece(PieceKind.Text, string.Join(Separator, taken), []);
        }

        var last = previous[^1].Text;
        var tail = last[^options.OverlapCharacters..];
        // Start at a sentence if one starts in the tail, else at a word.
        var sentence = tail.IndexOf(". ", StringComparison.Ordinal);
        var word = tail.IndexOfAny([' ', '\n']);
        var from = sentence >= 0 && sentence + 2 < tail.Length ? sentence + 2 : word >= 0 ? word + 1 : tail.Length;
        var overlap = tail[from..].Trim();
        return overlap.Length == 0 ? null : new Piece(PieceKind.Text, overlap, []);
    }

    /// <summary>An oversized block in parts: code keeps its fence in every part, tables their header.</summary>
    private static List<Piece> Split(Piece piece, int firstLimit, int limit)
    {
        var lines = piece.Text.Split('\n');
        string head = "", tail = "";
        var body = lines.AsSpan();
        if (piece.Kind == PieceKind.Code && IsFence(lines[0], out var fence))
        {
            head = lines[0] + "\n";
            body = body[1..];
            var closing = body.Length > 0 && IsClosingFence(body[^1], fence);
            tail = "\n" + (closing ? body[^1] : Indentation(lines[0]) + fence);
            if (closing)
            {
                body = body[..^1];
            }
        }
        else if (piece.Kind == PieceKind.Table && lines.Length > 2)
        {
            head = lines[0] + "\n" + lines[1] + "\n";
            body = body[2..];
        }

        var parts = new List<Piece>();
        var current = new StringBuilder();
        var budget = Math.Max(firstLimit, head.Length + tail.Length + 1) - head.Length - tail.Length;
        void Emit()
        {
            if (current.Length > 0)
            {
                parts.Add(piece with { Text = head + current.ToString() + tail });
                current.Clear();
                budget = Math.Max(limit - head.Length - tail.Length, 1);
            }
        }

        foreach (var line in body)
        {
            var needed = line.Length + (current.Length > 0 ? 1 : 0);
            if (current.Length > 0 && current.Length + needed > budget)
            {
                Emit();
            }

            if (line.Length <= budget || piece.Kind == PieceKind.Table)
            {
                if (current.Length > 0)
                {
                    current.Append('\n');
                }

                current.Append(line);
                continue;
            }

            // One line longer than a whole part (minified code, a giant paragraph): cut it, at
            // spaces where it has them.
            var rest = line.AsSpan();
            while (rest.Length > 0)
            {
                var take = Math.Min(budget, rest.Length);
                if (take < rest.Length && piece.Kind == PieceKind.Text)
                {
                    var space = rest[..take].LastIndexOf(' ');
                    take = space > take / 2 ? space + 1 : take;
                }

                current.Append(rest[..take].TrimEnd());
                rest = rest[take..];
                Emit();
            }
        }

        Emit();
        return parts;
    }

    private static bool IsFence(string line, out string fence)
    {
        var trimmed = line.TrimStart();
        var length = 0;
        while (length < trimmed.Length && trimmed[length] == trimmed[0] && trimmed[0] is '`' or '~')
        {
            length++;
        }

        fence = trimmed[..length];
        return length >= 3;
    }

    private static bool IsClosingFence(string line, string fence)
    {
        var trimmed = line.Trim();
        return trimmed.Length >= fence.Length && trimmed.All(c => c == fence[0]);
    }

    private static string Indentation(string line) => line[..(line.Length - line.TrimStart().Length)];

    private static int TotalLength(List<Piece> pieces) =>
        pieces.Count == 0 ? 0 : pieces.Sum(p => p.Text.Length) + (Separator.Length * (pieces.Count - 1));

    private static string? Url(Uri? documentUrl, string? anchor)
    {
        if (documentUrl is null)
        {
            return null;
        }

        if (!documentUrl.IsAbsoluteUri)
        {
            return anchor is null ? documentUrl.OriginalString : documentUrl.OriginalString.Split('#')[0] + "#" + Uri.EscapeDataString(anchor);
        }

        var page = documentUrl.GetLeftPart(UriPartial.Query);
        return anchor is null ? page : page + "#" + Uri.EscapeDataString(anchor);
    }

    private static string Hash(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    [GeneratedRegex(@"[ \t]*\{#[\w.:-]+\}(?=[ \t]*#*[ \t]*$)", RegexOptions.CultureInvariant | RegexOptions.Multiline, 1000)]
    private static partial Regex ExplicitIdInSlice();

    private enum PieceKind
    {
        Heading,
        Text,
        Code,
        Table,
    }

    private sealed record Piece(PieceKind Kind, string Text, IReadOnlyList<string> Languages, int Level = 0, string? HeadingText = null, string? ExplicitId = null);

    private sealed class Section(string breadcrumb, string? anchor, int level)
    {
        public string Breadcrumb { get; } = breadcrumb;

        public string? Anchor { get; } = anchor;

        /// <summary>0 for the text before the first heading.</summary>
        public int Level { get; } = level;

        public List<Piece> Pieces { get; } = [];

        public int Length => TotalLength(Pieces);
    }
}
