using DocAIche.Search.Apis;
using DocAIche.Search.Searching;

namespace DocAIche.UnitTests.Search;

public class SearchRequestTests
{
    [Fact]
    public void A_plain_request_gets_defaults_and_a_tidied_query()
    {
        var errors = SearchApi.Validate(new SearchRequest("  how   to retry \n"), out var query);

        Assert.Empty(errors);
        Assert.Equal(new SearchQuery("how to retry", null, null, 10, null, 0), query);
    }

    [Theory]
    [InlineData(null, null, null, null, null, "query")]
    [InlineData("   ", null, null, null, null, "query")]
    [InlineData("q", null, "1.0", null, null, "version")]
    [InlineData("q", "lib", null, 0, null, "limit")]
    [InlineData("q", "lib", null, 51, null, "limit")]
    [InlineData("q", "lib", null, 5, 0, "maxTokens")]
    [InlineData("q", "lib", null, 5, 100_001, "maxTokens")]
    public void Bad_requests_name_the_field(string? text, string? library, string? version, int? limit, int? maxTokens, string field)
    {
        var errors = SearchApi.Validate(new SearchRequest(text, library, version, limit, maxTokens), out _);

        Assert.Contains(field, errors.Keys);
    }

    [Fact]
    public void A_query_over_the_limit_is_refused()
    {
        var errors = SearchApi.Validate(new SearchRequest(new string('a', SearchApi.MaxQueryLength + 1)), out _);

        Assert.Contains("query", errors.Keys);
    }

    [Theory]
    [InlineData("garbage!")]
    [InlineData("bzotMTA")]
    [InlineData("eDo1")]
    public void Cursors_this_api_did_not_make_are_refused(string cursor)
    {
        var errors = SearchApi.Validate(new SearchRequest("q", Cursor: cursor), out _);

        Assert.Contains("cursor", errors.Keys);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(10)]
    [InlineData(SearchCursor.MaxOffset)]
    public void Cursors_round_trip(int offset)
    {
        Assert.True(SearchCursor.TryDecode(SearchCursor.Encode(offset), out var decoded));
        Assert.Equal(offset, decoded);
        Assert.False(SearchCursor.TryDecode(SearchCursor.Encode(SearchCursor.MaxOffset + 1), out _));
    }

    [Theory]
    [InlineData("retry backoff", false)]
    [InlineData("\"connection pool\"", true)]
    [InlineData("redis -cluster", true)]
    [InlineData("redis OR memcached", true)]
    [InlineData("re-try or back-off", false)]
    public void Operators_switch_to_every_word_as_written(string text, bool hasOperators) =>
        Assert.Equal(hasOperators, QueryText.HasOperators(text));

    [Fact]
    public void Token_cuts_stop_at_a_word_boundary_within_the_budget()
    {
        var text = string.Join(' ', Enumerable.Repeat("word", 100)); // 499 characters

        var cut = Tokens.Cut(text, 10);

        Assert.True(cut.Length <= 40);
        Assert.EndsWith("word", cut, StringComparison.Ordinal);
        Assert.Equal(text, Tokens.Cut(text, 1000));
        Assert.Equal(125, Tokens.Estimate(text));
    }

}
