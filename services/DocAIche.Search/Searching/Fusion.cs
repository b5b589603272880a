using System.Text.RegularExpressions;

namespace DocAIche.Search.Searching;

/// <summary>A chunk that one method ranked, at 1-based <paramref name="Rank"/>.</summary>
public sealed record RankedChunk(Guid ChunkId, int Rank);

/// <summary>What ranking needs to know about a candidate chunk.</summary>
public sealed record CandidateChunk(Guid ChunkId, Guid DocumentId, Guid LibraryId, string Version, string Title, string Breadcrumb, string? Url, double Feedback);

/// <summary>A page's best chunk with its final score.</summary>
public sealed record RankedPage(CandidateChunk Chunk, double Score);

/// <summary>
/// Reciprocal rank fusion of the full-text and vector lists at chunk level, then one result per page
/// (its best chunk): fusing chunks before collapsing them ranks better than collapsing first.
/// Feedback nudges a page's score within a bound; release notes, blog posts and announcements are demoted.
/// </summary>
public static partial class Fusion
{
    public static IReadOnlyList<RankedPage> Rank(
        IReadOnlyList<RankedChunk> fullText, IReadOnlyList<RankedChunk> vectors, IReadOnlyDictionary<Guid, CandidateChunk> candidates, SearchOptions options)
    {
        var scores = new Dictionary<Guid, double>();
        Add(scores, fullText, options.FullTextWeight, options.FusionK);
        Add(scores, vectors, options.VectorWeight, options.FusionK);

        var best = new Dictionary<Guid, RankedPage>();
        foreach (var (chunkId, fused) in scores)
        {
            if (!candidates.TryGetValue(chunkId, out var chunk))
            {
                continue; // removed between the two queries
            }
            var score = fused;
            if (IsReleaseNotes(chunk))
            {
                score *= options.ReleaseNotesFactor;
            }
            // Bounded: a page's feedback can move it a few places, never bury or crown it alone.
            score += options.FeedbackWeight * Math.Tanh(chunk.Feedback / 3.0);
            if (!best.TryGetValue(chunk.DocumentId, out var current) || score > current.Score ||
                (score == current.Score && chunk.ChunkId.CompareTo(current.Chunk.ChunkId) < 0))
            {
                best[chunk.DocumentId] = new RankedPage(chunk, score);
            }
        }
        return [.. best.Values.OrderByDescending(p => p.Score).ThenBy(p => p.Chunk.ChunkId)];
    }

    private static void Add(Dictionary<Guid, double> scores, IReadOnlyList<RankedChunk> list, double weight, int k)
    {
        foreach (var ranked in list)
        {
            scores[ranked.ChunkId] = scores.GetValueOrDefault(ranked.ChunkId) + weight / (k + ranked.Rank);
        }
    }

    public static bool IsReleaseNotes(CandidateChunk chunk) =>
        ReleaseNotes().IsMatch(chunk.Title) || (chunk.Url is not null && ReleaseNotesUrl().IsMatch(chunk.Url));

    /// <remarks>Blog posts and announcements count too: they mention everything new, and answer ordinary questions worse than the guides.</remarks>
    [GeneratedRegex(@"\b(change ?log|release notes?|what'?s new|announcing|introducing)\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex ReleaseNotes();

    [GeneratedRegex(@"(changelog|change-log|release-?notes|whats-?new|announcing|/blog/|/news/|/announcements?/)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex ReleaseNotesUrl();
}
