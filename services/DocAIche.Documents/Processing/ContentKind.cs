namespace DocAIche.Documents.Processing;

/// <summary>The formats the normaliser turns into Markdown.</summary>
internal enum ContentKind
{
    Markdown,
    Mdx,
    Html,
    PlainText,
    ReStructuredText,
}

internal static class ContentKinds
{
    /// <summary>The kind a file name or URL path says, or null for anything else.</summary>
    public static ContentKind? FromPath(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var extension = Path.GetExtension(path.AsSpan());
        return extension switch
        {
            _ when Is(extension, ".md") || Is(extension, ".markdown") => ContentKind.Markdown,
            _ when Is(extension, ".mdx") => ContentKind.Mdx,
            _ when Is(extension, ".html") || Is(extension, ".htm") => ContentKind.Html,
            _ when Is(extension, ".txt") || Is(extension, ".text") => ContentKind.PlainText,
            _ when Is(extension, ".rst") => ContentKind.ReStructuredText,
            _ => null,
        };
    }

    /// <summary>The kind a Content-Type says (parameters such as charset ignored), or null.</summary>
    public static ContentKind? FromMediaType(string? mediaType)
    {
        if (string.IsNullOrWhiteSpace(mediaType))
        {
            return null;
        }

        var type = mediaType.AsSpan();
        var semicolon = type.IndexOf(';');
        if (semicolon >= 0)
        {
            type = type[..semicolon];
        }

        type = type.Trim();
        return type switch
        {
            _ when Is(type, "text/markdown") || Is(type, "text/x-markdown") => ContentKind.Markdown,
            _ when Is(type, "text/html") || Is(type, "application/xhtml+xml") => ContentKind.Html,
            _ when Is(type, "text/plain") => ContentKind.PlainText,
            _ when Is(type, "text/x-rst") => ContentKind.ReStructuredText,
            _ => null,
        };
    }

    private static bool Is(ReadOnlySpan<char> value, string expected) => value.Equals(expected, StringComparison.OrdinalIgnoreCase);
}
