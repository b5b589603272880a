using DocAIche.Documents.Crawling;

namespace DocAIche.UnitTests.Documents;

public sealed class UrlPatternsTests
{
    private static bool Allows(UrlPatterns patterns, string pathAndQuery) => patterns.Allows(new Uri("https://docs.example.com" + pathAndQuery));

    [Fact]
    public void No_patterns_allow_everything()
    {
        var patterns = new UrlPatterns([], [], useDefaultExcludes: false);

        Assert.True(Allows(patterns, "/"));
        Assert.True(Allows(patterns, "/fr/guide/"));
        Assert.True(Allows(patterns, "/blog/post"));
    }

    [Fact]
    public void Includes_limit_and_excludes_remove()
    {
        var patterns = new UrlPatterns(["/docs/**"], ["*/internal/*", "/docs/old-*"], useDefaultExcludes: false);

        Assert.True(Allows(patterns, "/docs/guide/intro"));
        Assert.True(Allows(patterns, "/DOCS/Guide"));
        Assert.False(Allows(patterns, "/api/guide"));
        Assert.False(Allows(patterns, "/docs/team/internal/notes"));
        Assert.False(Allows(patterns, "/docs/old-api"));
    }

    [Fact]
    public void A_pattern_without_a_leading_slash_matches_at_any_depth()
    {
        var patterns = new UrlPatterns([], ["draft-*"], useDefaultExcludes: false);

        Assert.False(Allows(patterns, "/draft-1"));
        Assert.False(Allows(patterns, "/a/b/draft-2"));
        Assert.True(Allows(patterns, "/a/b/final"));
    }

    [Fact]
    public void Patterns_can_match_the_query()
    {
        var patterns = new UrlPatterns([], ["*?page=*"], useDefaultExcludes: false);

        Assert.False(Allows(patterns, "/list?page=2"));
        Assert.True(Allows(patterns, "/list"));
    }

    [Theory]
    [InlineData("/fr/guide/intro")]
    [InlineData("/docs/zh-cn/guide")]
    [InlineData("/docs/pt-BR/")]
    [InlineData("/ja")]
    [InlineData("/docs/changelog")]
    [InlineData("/docs/CHANGELOG.md")]
    [InlineData("/project/release-notes/v2")]
    [InlineData("/whats-new.html")]
    [InlineData("/blog/2024/launch")]
    [InlineData("/tags/python")]
    [InlineData("/search?q=install")]
    [InlineData("/search.html")]
    [InlineData("/genindex.html")]
    [InlineData("/_modules/pkg/mod.html")]
    [InlineData("/_sources/index.rst.txt")]
    [InlineData("/downloads/manual.PDF")]
    [InlineData("/assets/app.js")]
    [InlineData("/img/diagram.svg")]
    public void Default_excludes_skip_translations_changelogs_and_assets(string path)
    {
        Assert.False(Allows(new UrlPatterns([], [], useDefaultExcludes: true), path));
        Assert.True(Allows(new UrlPatterns([], [], useDefaultExcludes: false), path));
    }

    [Theory]
    [InlineData("/en/guide/intro")]
    [InlineData("/en-us/docs/")]
    [InlineData("/docs/french-cooking")]
    [InlineData("/docs/searching-data")]
    [InlineData("/docs/changes-to-config")]
    [InlineData("/docs/json.html")]
    [InlineData("/docs/identity")]
    public void Default_excludes_keep_ordinary_pages(string path) =>
        Assert.True(Allows(new UrlPatterns([], [], useDefaultExcludes: true), path));

    [Fact]
    public void The_default_excludes_are_listed() =>
        Assert.Contains("**/blog/**", UrlPatterns.DefaultExcludes);
}
