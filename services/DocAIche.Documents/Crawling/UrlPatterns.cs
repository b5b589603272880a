namespace DocAIche.Documents.Crawling;

/// <summary>
/// Which URLs of a site a crawl takes: globs over the path (and path plus query), case-insensitive.
/// A pattern without a leading '/' matches at any depth. No include patterns means everything.
/// The default excludes skip what is rarely worth answering questions from: translations,
/// changelogs, blogs, search and index pages, source listings and binary assets. They apply
/// even to included URLs; turn them off to crawl any of those.
/// </summary>
internal sealed class UrlPatterns(IEnumerable<string> include, IEnumerable<string> exclude, bool useDefaultExcludes)
{
    // Translated copies of the docs. "en" and regional English are the originals.
    private static readonly string[] Locales =
    [
        "fr", "de", "ja", "zh", "zh-cn", "zh-tw", "zh-hans", "zh-hant", "pt", "pt-br", "pt-pt", "es", "es-es", "es-mx",
        "ko", "ru", "it", "tr", "pl", "uk", "vi", "id", "nl", "sv", "ar", "he", "th", "fr-fr", "de-de", "ja-jp", "ko-kr",
    ];

    private static readonly string[] ReleaseNotes = ["changelog", "changes", "release-notes", "release_notes", "releases", "whats-new", "what-s-new"];

    private static readonly string[] Assets =
    [
        "pdf", "zip", "gz", "tgz", "png", "jpg", "jpeg", "gif", "webp", "ico", "svg", "css", "js", "map", "woff", "woff2", "ttf", "eot", "mp4", "webm",
    ];

    private readonly GlobPattern[] includes = Compile(include);
    private readonly GlobPattern[] excludes = Compile(exclude);

    public static IReadOnlyList<string> DefaultExcludes { get; } =
    [
        .. Locales.Select(l => $"**/{l}/**"),
        .. ReleaseNotes.SelectMany(n => (string[])[$"**/{n}/**", $"**/{n}.*"]),
        "**/blog/**", "**/tag/**", "**/tags/**",
        "**/search/**", "**/search.html", "**/genindex/**", "**/genindex.html", "**/py-modindex.html",
        "**/_modules/**", "**/_sources/**",
        .. Assets.Select(e => $"**/*.{e}"),
    ];

    private static readonly GlobPattern[] Defaults = Compile(DefaultExcludes);

    public bool Allows(Uri url)
    {
        ArgumentNullException.ThrowIfNull(url);
        var path = url.IsAbsoluteUri ? url.AbsolutePath : url.OriginalString;
        var pathAndQuery = url.IsAbsoluteUri ? url.PathAndQuery : url.OriginalString;
        bool Matches(GlobPattern pattern) => pattern.IsMatch(path) || (pathAndQuery.Length != path.Length && pattern.IsMatch(pathAndQuery));

        if (includes.Length > 0 && !includes.Any(Matches))
        {
            return false;
        }

        return !excludes.Any(Matches) && !(useDefaultExcludes && Defaults.Any(Matches));
    }

    private static GlobPattern[] Compile(IEnumerable<string> patterns)
    {
        ArgumentNullException.ThrowIfNull(patterns);
        return patterns
            .Select(p => p?.Trim() ?? "")
            .Where(p => p.Length > 0)
            .Select(p => new GlobPattern(p.StartsWith('/') || p.StartsWith("**", StringComparison.Ordinal) ? p : "**/" + p, ignoreCase: true))
            .ToArray();
    }
}
