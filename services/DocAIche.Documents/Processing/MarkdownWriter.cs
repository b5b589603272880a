using System.Text;

namespace DocAIche.Documents.Processing;

/// <summary>
/// Builds Markdown from a stream of text, breaks and markers. Container prefixes ("> ", list
/// indentation) and inline markers ("**", "[...](url)") are written lazily, when content arrives,
/// so empty elements leave nothing behind and markers never wrap whitespace.
/// </summary>
internal sealed class MarkdownWriter
{
    private readonly StringBuilder text = new();
    private readonly List<Frame> frames = [];
    private readonly List<Mark> marks = [];
    private int pendingBreak;
    private bool pendingSpace;
    private bool lineOpen;
    private bool lineHasContent;

    /// <summary>Above zero, breaks become spaces (headings, table cells).</summary>
    public int SingleLine { get; set; }

    /// <summary>Above zero, square brackets in text are escaped.</summary>
    public int LinkDepth { get; set; }

    public bool InListItem => frames.Count > 0 && frames[^1].IsListItem;

    public override string ToString() => text.ToString();

    /// <summary>1: start a new line; 2: start a new paragraph.</summary>
    public void Break(int level)
    {
        if (SingleLine > 0)
        {
            pendingSpace = true;
            return;
        }

        // The element that opened this container already asked for the break before it.
        if (frames.Count > 0 && !frames[^1].Written)
        {
            return;
        }

        pendingBreak = Math.Max(pendingBreak, level);
    }

    public void LineBreak()
    {
        if (SingleLine > 0)
        {
            pendingSpace = true;
            return;
        }

        pendingBreak = pendingBreak >= 1 ? 2 : 1;
    }

    public void PushFrame(string continuation, string? marker, bool isListItem) =>
        frames.Add(new Frame(continuation, marker, isListItem));

    public void PopFrame() => frames.RemoveAt(frames.Count - 1);

    public void OpenMark(string opener, string closer) => marks.Add(new Mark(opener, closer));

    public void CloseMark()
    {
        var mark = marks[^1];
        marks.RemoveAt(marks.Count - 1);
        if (mark.Emitted)
        {
            text.Append(mark.Closer);
        }
    }

    /// <summary>Text from the page: whitespace collapses, Markdown syntax in it is escaped.</summary>
    public void Text(string raw)
    {
        var i = 0;
        while (i < raw.Length)
        {
            var c = raw[i];
            if (char.IsWhiteSpace(c))
            {
                pendingSpace = true;
                i++;
                continue;
            }

            var start = i;
            while (i < raw.Length && !char.IsWhiteSpace(raw[i]))
            {
                i++;
            }

            Word(raw.AsSpan(start, i - start));
        }
    }

    /// <summary>Ready-made Markdown that belongs in a line (a code span, an image).</summary>
    public void Inline(string markdown)
    {
        Begin();
        text.Append(markdown);
        lineHasContent = true;
    }

    /// <summary>A line written exactly as given, under the current container prefixes.</summary>
    public void RawLine(string line)
    {
        if (pendingBreak > 0 && text.Length > 0)
        {
            NewLines();
        }

        pendingBreak = 0;
        if (!lineOpen)
        {
            var prefix = LinePrefix();
            text.Append(line.Length == 0 ? prefix.TrimEnd() : prefix);
            lineOpen = true;
        }

        text.Append(line);
        lineHasContent = true;
        pendingSpace = false;
        pendingBreak = 1;
    }

    private void Word(ReadOnlySpan<char> word)
    {
        var visible = false;
        foreach (var c in word)
        {
            if (!IsInvisible(c))
            {
                visible = true;
                break;
            }
        }

        if (!visible)
        {
            return;
        }

        Begin();
        var atLineStart = !lineHasContent;
        if (atLineStart && StartsBlock(word))
        {
            text.Append('\\');
        }

        for (var i = 0; i < word.Length; i++)
        {
            var c = word[i];
            if (IsInvisible(c))
            {
                continue;
            }

            if (c is '*' or '`' || (LinkDepth > 0 && c is '[' or ']')
                || (c == '<' && i + 1 < word.Length && (char.IsAsciiLetter(word[i + 1]) || word[i + 1] is '/' or '!' or '?'))
                || (atLineStart && c is '.' or ')' && i == word.Length - 1 && i > 0 && IsDigits(word[..i])))
            {
                text.Append('\\');
            }

            text.Append(c);
        }

        lineHasContent = true;
    }

    private void Begin()
    {
        if (pendingBreak > 0)
        {
            if (text.Length > 0)
            {
                NewLines();
            }

            pendingBreak = 0;
        }

        if (!lineOpen)
        {
            text.Append(LinePrefix());
            lineOpen = true;
            pendingSpace = false;
        }

        if (pendingSpace)
        {
            if (lineHasContent)
            {
                text.Append(' ');
            }

            pendingSpace = false;
        }

        foreach (var mark in marks)
        {
            if (!mark.Emitted)
            {
                text.Append(mark.Opener);
                mark.Emitted = true;
                lineHasContent = true;
            }
        }
    }

    private void NewLines()
    {
        // Emphasis and link text cannot span paragraphs: close them here, reopen on the next content.
        for (var i = marks.Count - 1; i >= 0; i--)
        {
            if (marks[i].Emitted)
            {
                text.Append(marks[i].Closer);
                marks[i].Emitted = false;
            }
        }

        text.Append('\n');
        if (pendingBreak >= 2)
        {
            // The blank line belongs to the containers already open, not to one starting after it.
            foreach (var frame in frames)
            {
                if (frame.Written)
                {
                    text.Append(frame.Continuation);
                }
            }

            TrimEndSpaces();
            text.Append('\n');
        }

        lineOpen = false;
        lineHasContent = false;
        pendingSpace = false;
    }

    private string LinePrefix()
    {
        if (frames.Count == 0)
        {
            return "";
        }

        var prefix = new StringBuilder();
        foreach (var frame in frames)
        {
            prefix.Append(frame.Marker ?? frame.Continuation);
            frame.Marker = null;
            frame.Written = true;
        }

        return prefix.ToString();
    }

    private void TrimEndSpaces()
    {
        var end = text.Length;
        while (end > 0 && text[end - 1] == ' ')
        {
            end--;
        }

        text.Length = end;
    }

    private static bool StartsBlock(ReadOnlySpan<char> word)
    {
        var first = word[0];
        if (first is '#' or '>' || word.StartsWith("~~~"))
        {
            return true;
        }

        // "-", "+", "---", "===": list items, thematic breaks, setext underlines.
        if (first is '-' or '+' or '=' or '_')
        {
            foreach (var c in word)
            {
                if (c != first)
                {
                    return false;
                }
            }

            return true;
        }

        return false;
    }

    private static bool IsDigits(ReadOnlySpan<char> value)
    {
        if (value.Length is 0 or > 9)
        {
            return false;
        }

        foreach (var c in value)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        return true;
    }

    // Zero-width characters in page text only get in the way of search.
    private static bool IsInvisible(char c) => c is '\u200B' or '\u200C' or '\u200D' or '\u2060' or '\uFEFF';

    private sealed class Frame(string continuation, string? marker, bool isListItem)
    {
        public string Continuation { get; } = continuation;

        public string? Marker { get; set; } = marker;

        public bool IsListItem { get; } = isListItem;

        public bool Written { get; set; }
    }

    private sealed class Mark(string opener, string closer)
    {
        public string Opener { get; } = opener;

        public string Closer { get; } = closer;

        public bool Emitted { get; set; }
    }
}
