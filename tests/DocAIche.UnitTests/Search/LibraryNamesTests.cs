using DocAIche.Search.Searching;

namespace DocAIche.UnitTests.Search;

public class LibraryNamesTests
{
    private static VisibleLibrary Library(string name, string? defaultVersion = "latest") =>
        new(Guid.NewGuid(), "t1", name, null, false, defaultVersion, defaultVersion is null ? [] : [defaultVersion], 1);

    private static readonly VisibleLibrary[] Libraries =
    [
        Library("react"), Library("python"), Library("tailwindcss"), Library("vite"), Library("fastapi"), Library("Next.js"), Library("redis-py"),
        Library("unversioned", defaultVersion: null),
    ];

    [Theory]
    [InlineData("tailwindcss", new[] { "tailwindcss", "tailwind" })]
    [InlineData("Next.js", new[] { "nextjs", "next" })]
    [InlineData("redis-py", new[] { "redispy", "redis", "py" })]
    [InlineData("vite", new[] { "vite" })]
    public void A_name_has_the_forms_people_write(string name, string[] forms)
    {
        foreach (var form in forms.Where(f => f.Length >= 3))
        {
            Assert.Contains(form, LibraryNames.Forms(name));
        }

        Assert.DoesNotContain("py", LibraryNames.Forms(name)); // too short to mean a library
    }

    [Theory]
    [InlineData("flexbox vs grid in tailwind", "tailwindcss")]
    [InlineData("vite config proxy", "vite")]
    [InlineData("Python dataclass default factory", "python")]
    [InlineData("next js app router", "Next.js")]
    [InlineData("nextjs middleware", "Next.js")]
    [InlineData("redis connection pool", "redis-py")]
    [InlineData("how do I add a plugin (vite)?", "vite")]
    [InlineData("Next.js image optimisation", "Next.js")]
    public void A_query_naming_a_library_names_it(string query, string library) =>
        Assert.Equal([library], LibraryNames.Named(query, Libraries).Select(l => l.Name));

    [Theory]
    [InlineData("how do I reset state when a prop changes")]
    [InlineData("reactive variables")]
    [InlineData("unversioned settings")]
    [InlineData("form fields not working, python-multipart needs to be installed")]
    [InlineData("pip install fastapi_users")]
    [InlineData("")]
    public void A_query_naming_no_library_names_none(string query) => Assert.Empty(LibraryNames.Named(query, Libraries));

    [Fact]
    public void A_query_can_name_two_libraries() =>
        Assert.Equal(["react", "vite"], LibraryNames.Named("react with vite", Libraries).Select(l => l.Name));
}
