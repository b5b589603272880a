using DocAIche.Search.Searching;

namespace DocAIche.UnitTests.Search;

public class CacheKeyTests
{
    private static readonly LibraryView View = new([], "generation-1");

    private static SearchQuery Query(string text = "retry policy", string? library = "wharfline", int offset = 0) =>
        new(text, library, null, 10, null, offset);

    [Fact]
    public void The_same_search_typed_differently_is_one_entry()
    {
        Assert.Equal(CachedSearch.Key("t1", View, Query("retry policy")), CachedSearch.Key("t1", View, Query(QueryText.Normalise("  retry \t policy "))));
        Assert.Equal(CachedSearch.Key("t1", View, Query(library: "wharfline")), CachedSearch.Key("t1", View, Query(library: "Wharfline ")));
    }

    [Fact]
    public void Tenants_pages_and_index_generations_never_share_an_entry()
    {
        var key = CachedSearch.Key("t1", View, Query());

        Assert.NotEqual(key, CachedSearch.Key("t2", View, Query()));
        Assert.NotEqual(key, CachedSearch.Key("t1", View, Query(offset: 10)));
        Assert.NotEqual(key, CachedSearch.Key("t1", View with { Fingerprint = "generation-2" }, Query()));
        Assert.NotEqual(key, CachedSearch.Key("t1", View, Query("retry OR policy")));
    }
}
