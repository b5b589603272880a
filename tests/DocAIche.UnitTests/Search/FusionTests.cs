using DocAIche.Search.Searching;

namespace DocAIche.UnitTests.Search;

public class FusionTests
{
    private static readonly Guid PageA = Guid.NewGuid();
    private static readonly Guid PageB = Guid.NewGuid();
    private static readonly Guid PageC = Guid.NewGuid();
    private static readonly Guid Library = Guid.NewGuid();

    private static CandidateChunk Chunk(Guid page, string title = "Guide", double feedback = 0, string? url = null) =>
        new(Guid.NewGuid(), page, Library, "1.0", title, title + " > Section", url, feedback);

    private static Dictionary<Guid, CandidateChunk> Index(params CandidateChunk[] chunks) => chunks.ToDictionary(c => c.ChunkId);

    [Fact]
    public void A_chunk_both_methods_rank_beats_the_top_of_one_list()
    {
        var both = Chunk(PageA);
        var textOnly = Chunk(PageB);
        var vectorOnly = Chunk(PageC);
        var ranked = Fusion.Rank(
            [new(textOnly.ChunkId, 1), new(both.ChunkId, 2)],
            [new(vectorOnly.ChunkId, 1), new(both.ChunkId, 2)],
            Index(both, textOnly, vectorOnly), new SearchOptions());

        Assert.Equal(both.ChunkId, ranked[0].Chunk.ChunkId);
        Assert.Equal(3, ranked.Count);
        Assert.Equal(2.0 / 62, ranked[0].Score, 6);
    }

    [Fact]
    public void Each_page_appears_once_with_its_best_chunk()
    {
        var best = Chunk(PageA);
        var weaker = Chunk(PageA);
        var other = Chunk(PageB);
        var ranked = Fusion.Rank(
            [new(best.ChunkId, 1), new(other.ChunkId, 2), new(weaker.ChunkId, 3)],
            [new(best.ChunkId, 1)],
            Index(best, weaker, other), new SearchOptions());

        Assert.Equal([best.ChunkId, other.ChunkId], ranked.Select(r => r.Chunk.ChunkId));
    }

    [Fact]
    public void Weights_decide_between_the_methods()
    {
        var text = Chunk(PageA);
        var vector = Chunk(PageB);
        var options = new SearchOptions { FullTextWeight = 0.2, VectorWeight = 1 };
        var ranked = Fusion.Rank([new(text.ChunkId, 1)], [new(vector.ChunkId, 1)], Index(text, vector), options);

        Assert.Equal(vector.ChunkId, ranked[0].Chunk.ChunkId);
    }

    [Theory]
    [InlineData("Changelog", null)]
    [InlineData("Release notes", null)]
    [InlineData("What's new in 2.0", null)]
    [InlineData("Version history", "https://docs.example.test/changelog#v2")]
    [InlineData("Announcing Vite 5", null)]
    [InlineData("React v19", "https://react.dev/blog/2024/12/05/react-19")]
    public void Release_notes_rank_below_a_reference_page_they_tie_with(string title, string? url)
    {
        var notes = Chunk(PageA, title, url: url);
        var reference = Chunk(PageB, "Configuration");
        var ranked = Fusion.Rank([new(notes.ChunkId, 1), new(reference.ChunkId, 2)], [new(reference.ChunkId, 1), new(notes.ChunkId, 2)],
            Index(notes, reference), new SearchOptions());

        Assert.Equal(reference.ChunkId, ranked[0].Chunk.ChunkId);
    }

    [Fact]
    public void Helpful_feedback_lifts_a_page_past_a_close_neighbour_but_cannot_lift_it_over_a_clear_winner()
    {
        var options = new SearchOptions();
        var winner = Chunk(PageA);
        var neighbour = Chunk(PageB);
        var liked = Chunk(PageC, feedback: 50);
        var ranked = Fusion.Rank(
            [new(winner.ChunkId, 1), new(neighbour.ChunkId, 2), new(liked.ChunkId, 3)],
            [new(winner.ChunkId, 1)],
            Index(winner, neighbour, liked), options);

        Assert.Equal([winner.ChunkId, liked.ChunkId, neighbour.ChunkId], ranked.Select(r => r.Chunk.ChunkId));
        Assert.True(ranked[1].Score - 1.0 / 63 <= options.FeedbackWeight + 1e-9, "feedback adds at most FeedbackWeight");
    }

    [Fact]
    public void Unhelpful_feedback_sinks_a_page_below_its_neighbour()
    {
        var disliked = Chunk(PageA, feedback: -5);
        var neighbour = Chunk(PageB);
        var ranked = Fusion.Rank([new(disliked.ChunkId, 1), new(neighbour.ChunkId, 2)], [new(disliked.ChunkId, 1), new(neighbour.ChunkId, 2)],
            Index(disliked, neighbour), new SearchOptions());

        Assert.Equal(neighbour.ChunkId, ranked[0].Chunk.ChunkId);
    }

    [Fact]
    public void Chunks_gone_between_the_queries_are_skipped()
    {
        var kept = Chunk(PageA);
        var ranked = Fusion.Rank([new(Guid.NewGuid(), 1), new(kept.ChunkId, 2)], [], Index(kept), new SearchOptions());

        Assert.Equal(kept.ChunkId, Assert.Single(ranked).Chunk.ChunkId);
    }
}
