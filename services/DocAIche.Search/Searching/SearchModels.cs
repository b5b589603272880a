namespace DocAIche.Search.Searching;

/// <summary>A search as the caller asked for it, checked.</summary>
/// <param name="Text">The query: words, "quoted phrases", OR and -excluded words.</param>
/// <param name="Library">A library's name or id, or null for all the caller can see.</param>
/// <param name="Version">The version; with a library only. Null means the library's default version.</param>
/// <param name="Limit">Results per page.</param>
/// <param name="MaxTokens">The most text (in estimated tokens, four characters each) the page may carry.</param>
/// <param name="Offset">Where the page starts in the ranked results (from the cursor).</param>
public sealed record SearchQuery(string Text, string? Library, string? Version, int Limit, int? MaxTokens, int Offset);

/// <summary>One result: the best chunk of one page.</summary>
/// <param name="DocumentId">The page (document).</param>
/// <param name="ChunkId">The chunk of it that matched best.</param>
/// <param name="LibraryId">The library's id.</param>
/// <param name="Library">The library's name.</param>
/// <param name="Version">The library version the text belongs to.</param>
/// <param name="Title">The page's title.</param>
/// <param name="Breadcrumb">Title &gt; section &gt; subsection.</param>
/// <param name="Url">Where to read it, with the section's anchor.</param>
/// <param name="Snippet">The best passage as HTML: escaped text, matched terms in &lt;mark&gt; (the only tag it ever holds).</param>
/// <param name="Content">The chunk's text (Markdown), cut when the token budget runs out. Untrusted: it comes from the
/// documentation as ingested (raw HTML and script links are removed, but render it as Markdown with a sanitiser).</param>
/// <param name="Score">Fused relevance; higher is better, comparable within one response.</param>
/// <param name="Tokens">Estimated tokens of <paramref name="Content"/>.</param>
/// <param name="Truncated">The content was cut to fit the token budget.</param>
[System.ComponentModel.ImmutableObject(true)] // HybridCache may hand the same instance to every hit
public sealed record SearchResult(
    Guid DocumentId, Guid ChunkId, Guid LibraryId, string Library, string Version, string Title, string Breadcrumb, string? Url,
    string Snippet, string Content, double Score, int Tokens, bool Truncated);

/// <summary>What a search found.</summary>
/// <param name="Query">The query as searched.</param>
/// <param name="Library">The library searched, when one was asked for.</param>
/// <param name="Version">The version that answered: the one asked for, or the library's default. Never another.</param>
/// <param name="Methods">How results were found: <c>fulltext</c>, and <c>semantic</c> when vectors took part.</param>
/// <param name="Results">Best first.</param>
/// <param name="Tokens">Estimated tokens of all result contents together.</param>
/// <param name="NextCursor">Pass as <c>cursor</c> for the next page; null on the last.</param>
[System.ComponentModel.ImmutableObject(true)]
public sealed record SearchResponse(
    string Query, string? Library, string? Version, IReadOnlyList<string> Methods, IReadOnlyList<SearchResult> Results, int Tokens, string? NextCursor);

/// <summary>The outcome of a search: results, or why there are none.</summary>
public abstract record SearchOutcome
{
    public sealed record Found(SearchResponse Response) : SearchOutcome;

    public sealed record UnknownLibrary(string Library) : SearchOutcome;

    public sealed record UnknownVersion(string Library, string Version, IReadOnlyList<string> Versions) : SearchOutcome;
}
