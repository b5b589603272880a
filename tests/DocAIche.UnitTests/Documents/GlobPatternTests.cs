using DocAIche.Documents.Crawling;

namespace DocAIche.UnitTests.Documents;

public sealed class GlobPatternTests
{
    [Theory]
    [InlineData("docs/*.md", "docs/intro.md", true)]
    [InlineData("docs/*.md", "docs/guide/intro.md", false)]
    [InlineData("docs/**/*.md", "docs/intro.md", true)]
    [InlineData("docs/**/*.md", "docs/a/b/c.md", true)]
    [InlineData("docs/**", "docs", true)]
    [InlineData("docs/**", "docs/a/b", true)]
    [InlineData("docs/**", "documentation/a", false)]
    [InlineData("**/*.rst", "a/b/c.rst", true)]
    [InlineData("**/*.rst", "c.rst", true)]
    [InlineData("**", "anything/at/all", true)]
    [InlineData("file?.txt", "file1.txt", true)]
    [InlineData("file?.txt", "file10.txt", false)]
    [InlineData("file?.txt", "file/.txt", false)]
    [InlineData("v[0-9].md", "v2.md", true)]
    [InlineData("v[!0-9].md", "v2.md", false)]
    [InlineData("v[!0-9].md", "vx.md", true)]
    [InlineData("a+b (1).md", "a+b (1).md", true)]
    [InlineData("a+b (1).md", "aab (1).md", false)]
    [InlineData(@"literal\*.md", "literal*.md", true)]
    [InlineData(@"literal\*.md", "literalx.md", false)]
    [InlineData("/docs/*.md", "docs/x.md", true)]
    [InlineData("Docs/*.md", "docs/x.md", false)]
    public void Globs_match_whole_paths(string pattern, string path, bool matches) =>
        Assert.Equal(matches, new GlobPattern(pattern).IsMatch(path));

    [Fact]
    public void Case_can_be_ignored() => Assert.True(new GlobPattern("Docs/*.MD", ignoreCase: true).IsMatch("docs/x.md"));

    [Fact]
    public void A_pathological_pattern_matches_in_linear_time()
    {
        var pattern = new GlobPattern(string.Concat(Enumerable.Repeat("*a", 30)) + "b");
        var path = new string('a', 50_000);

        Assert.False(pattern.IsMatch(path));
    }
}
