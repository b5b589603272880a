using DocAIche.Search.Searching;

namespace DocAIche.UnitTests.Search;

public class LibraryResolverTests
{
    private const string Tenant = "t1";

    private static VisibleLibrary Library(string name, string tenant = Tenant, string? description = null) =>
        new(Guid.NewGuid(), tenant, name, description, tenant != Tenant, "1.0", ["1.0", "2.0"], 1);

    private static readonly VisibleLibrary[] Libraries =
    [
        Library("Next.js", "other", "The React framework"),
        Library("nextra"),
        Library("fastapi", description: "Python web framework for APIs"),
        Library("harbormaster", description: "An HTTP client for Python"),
        Library("redis-py"),
    ];

    [Theory]
    [InlineData("next.js", "Next.js")]
    [InlineData("nextjs", "Next.js")]
    [InlineData("NEXT-JS", "Next.js")]
    [InlineData("fastapi", "fastapi")]
    [InlineData("fastpai", "fastapi")]
    [InlineData("fast api", "fastapi")]
    [InlineData("redis", "redis-py")]
    [InlineData("harbormastr", "harbormaster")]
    [InlineData("http client", "harbormaster")]
    public void The_best_match_comes_first(string name, string expected)
    {
        var resolved = LibraryResolver.Resolve(Tenant, Libraries, name, 10);

        Assert.Equal(expected, resolved[0].Name);
        Assert.Equal(["1.0", "2.0"], resolved[0].Versions);
    }

    [Fact]
    public void Unrelated_names_match_nothing()
    {
        Assert.Empty(LibraryResolver.Resolve(Tenant, Libraries, "kubernetes", 10));
    }

    [Fact]
    public void An_exact_name_scores_one_and_says_whose_it_is()
    {
        var resolved = LibraryResolver.Resolve(Tenant, Libraries, "Next.js", 10);

        Assert.Equal(1, resolved[0].Score);
        Assert.False(resolved[0].Own);
        Assert.True(resolved[0].Shared);
    }

    [Fact]
    public void The_tenants_own_library_wins_a_tie_with_a_shared_one()
    {
        VisibleLibrary[] libraries = [Library("tools", "other"), Library("tools")];

        var resolved = LibraryResolver.Resolve(Tenant, libraries, "tools", 10);

        Assert.True(resolved[0].Own);
    }
}
