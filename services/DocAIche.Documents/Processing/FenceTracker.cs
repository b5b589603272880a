namespace DocAIche.Documents.Processing;

/// <summary>
/// Follows fenced code blocks line by line, so line-based rewrites leave code alone. Fences are
/// recognised at any indentation, which also covers fences inside list items and JSX.
/// </summary>
internal struct FenceTracker
{
    private char fenceChar;
    private int fenceLength;

    public readonly bool Inside => fenceLength > 0;

    /// <summary>Feeds the next line; true when it belongs to fenced code, fences included.</summary>
    public bool Step(ReadOnlySpan<char> line)
    {
        var trimmed = line.TrimStart();
        if (fenceLength > 0)
        {
            var run = Run(trimmed, fenceChar);
            if (run >= fenceLength && trimmed[run..].IsWhiteSpace())
            {
                fenceLength = 0;
            }

            return true;
        }

        if (trimmed.Length >= 3 && trimmed[0] is '`' or '~')
        {
            var c = trimmed[0];
            var run = Run(trimmed, c);
            // A backtick fence's info string cannot hold a backtick (that line is inline code).
            if (run >= 3 && (c == '~' || !trimmed[run..].Contains('`')))
            {
                fenceChar = c;
                fenceLength = run;
                return true;
            }
        }

        return false;
    }

    private static int Run(ReadOnlySpan<char> text, char c)
    {
        var run = 0;
        while (run < text.Length && text[run] == c)
        {
            run++;
        }

        return run;
    }
}
