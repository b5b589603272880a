using System.ComponentModel.DataAnnotations;

namespace DocAIche.Search.Searching;

/// <summary>How results are found, ranked and cached (section <c>Search</c>).</summary>
public sealed class SearchOptions
{
    public const string Section = "Search";

    /// <summary>Chunks each method (full text, vectors) contributes to fusion; also the HNSW scan size.</summary>
    [Range(10, 400)]
    public int Candidates { get; set; } = 50;

    /// <summary>
    /// Full-text matches ranked per query at most, twice over: this many picked by the query's rarest
    /// words, and this many more holding all its words. Ranking every row of a common word is what makes
    /// full-text latency explode, so ranking happens within these matches.
    /// </summary>
    /// <remarks>
    /// Each ranked match costs a fetch and decompression of its stored <c>tsvector</c> (about 0.1 ms
    /// measured on 1,000-character chunks): 200 keeps full text within a few tens of milliseconds.
    /// </remarks>
    [Range(50, 100_000)]
    public int FullTextMatchLimit { get; set; } = 200;

    /// <summary>
    /// When every word of a query is in more than this many chunks (times the number of words), the
    /// full-text index hands back a random sample of about this many of their matches instead of all of
    /// them (PostgreSQL's <c>gin_fuzzy_search_limit</c>; 0 turns sampling off). Only queries made of
    /// nothing but very common words are sampled: gathering their every match cost 20-30 ms at 100,000
    /// chunks, and only <see cref="FullTextMatchLimit"/> of them are ranked anyway.
    /// </summary>
    [Range(0, 1_000_000)]
    public int FullTextSampleSize { get; set; } = 5000;

    /// <summary>A word in more than this share of a library's chunks is common: it ranks, but does not pick, candidates.</summary>
    [Range(0.001, 1.0)]
    public double CommonTermShare { get; set; } = 0.02;

    /// <summary>
    /// From this many chunks a library has common words (they rank but do not pick candidates), and its
    /// word statistics are counted again at most every <see cref="CommonTermRefresh"/>; a smaller library
    /// is counted again at the next tick after a change.
    /// </summary>
    [Range(0, 10_000_000)]
    public int CommonTermMinimumChunks { get; set; } = 2000;

    /// <summary>How often term statistics are counted again, at most, while a library keeps changing.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan CommonTermRefresh { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>The k of reciprocal rank fusion: a result's share is weight / (k + rank).</summary>
    [Range(1, 1000)]
    public int FusionK { get; set; } = 60;

    [Range(0.0, 10.0)]
    public double FullTextWeight { get; set; } = 1.0;

    [Range(0.0, 10.0)]
    public double VectorWeight { get; set; } = 1.0;

    /// <summary>
    /// The most feedback can add to (or take from) a page's score. For scale: the first result of
    /// one list is worth weight / (k + 1), about 0.016 with the defaults.
    /// </summary>
    [Range(0.0, 1.0)]
    public double FeedbackWeight { get; set; } = 0.008;

    /// <summary>Changelogs, release notes, "what's new" pages, blog posts and announcements score this share, so guides and reference pages come first.</summary>
    [Range(0.0, 1.0)]
    public double ReleaseNotesFactor { get; set; } = 0.5;

    /// <summary>
    /// How long an instance reuses a tenant's view of its libraries (their index generations key the
    /// cache) before reading it again: zero reads it for every search. Changes on other instances are
    /// seen within this time.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")]
    public TimeSpan LibraryViewLifetime { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long a search result stays in Redis (every index change makes it unreachable sooner).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan CacheExpiration { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How long a search result stays in the instance's memory.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan LocalCacheExpiration { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// The least cosine similarity a chunk needs to count as a match by meaning (0 turns the floor off):
    /// without one, the nearest chunks always fill the list, even for a query nothing answers. The
    /// default suits MiniLM (on the test corpus, answering pages scored 0.34 and above, unrelated text
    /// 0.27 and below); other models spread their similarities differently and want their own value.
    /// </summary>
    [Range(0.0, 1.0)]
    public double MinimumVectorSimilarity { get; set; } = 0.25;

    /// <summary>ef_search for the HNSW scan, and its iterative mode so filtered scans still fill the list.</summary>
    [Range(10, 1000)]
    public int HnswEfSearch { get; set; } = 60;
}
