using System.Text.RegularExpressions;

namespace DocAIche.Search.Searching;

/// <summary>Queries as typed: normalised for cache keys, and checked for web-search operators.</summary>
public static partial class QueryText
{
    /// <summary>Trimmed, whitespace collapsed: the same search typed twice is one cache entry. (Case stays: OR is an operator, or is a word.)</summary>
    public static string Normalise(string text) => Whitespace().Replace(text.Trim(), " ");

    /// <summary>"Quoted phrases", OR, or -excluded words: then every word must match as written, not any of them.</summary>
    public static bool HasOperators(string text) => text.Contains('"') || Operators().IsMatch(text);

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();

    [GeneratedRegex(@"(^|\s)-\w|\sOR\s", RegexOptions.CultureInvariant)]
    private static partial Regex Operators();
}

/// <summary>Estimated tokens: four characters each, the usual rule of thumb for English and code.</summary>
public static class Tokens
{
    public const int CharactersPerToken = 4;

    public static int Estimate(string text) => (text.Length + CharactersPerToken - 1) / CharactersPerToken;

    /// <summary>The text cut to about <paramref name="tokens"/> tokens, at a word boundary when one is near.</summary>
    public static string Cut(string text, int tokens)
    {
        var length = Math.Min(text.Length, Math.Max(0, tokens) * CharactersPerToken);
        if (length == text.Length)
        {
            return text;
        }
        var space = text.LastIndexOfAny([' ', '\n'], Math.Max(0, length - 1));
        return text[..(space > length / 2 ? space : length)];
    }
}

/// <summary>Opaque paging cursors: where the next page starts in the ranked results.</summary>
public static class SearchCursor
{
    public const int MaxOffset = 1000;

    public static string Encode(int offset) =>
        Convert.ToBase64String(System.Text.Encoding.ASCII.GetBytes($"o:{offset}")).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static bool TryDecode(string? cursor, out int offset)
    {
        offset = 0;
        if (string.IsNullOrEmpty(cursor))
        {
            return true;
        }
        if (cursor.Length > 40)
        {
            return false;
        }
        try
        {
            var padded = cursor.Replace('-', '+').Replace('_', '/');
            padded += new string('=', (4 - padded.Length % 4) % 4);
            var text = System.Text.Encoding.ASCII.GetString(Convert.FromBase64String(padded));
            return text.StartsWith("o:", StringComparison.Ordinal) &&
                   int.TryParse(text.AsSpan(2), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out offset) &&
                   offset is >= 0 and <= MaxOffset;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
