using DocAIche.Console.Api;
using DocAIche.Console.Session;

namespace DocAIche.UnitTests.Console;

public sealed class ConsoleSessionTests
{
    [Theory]
    [InlineData("/libraries", "/libraries")]
    [InlineData("/search?q=proxy", "/search?q=proxy")]
    [InlineData(null, "/")]
    [InlineData("", "/")]
    [InlineData("https://evil.example/", "/")]
    [InlineData("//evil.example/", "/")]
    [InlineData("/\\evil.example/", "/")]
    [InlineData("javascript:alert(1)", "/")]
    [InlineData("/console/signin-oidc?code=x", "/")]
    public void After_sign_in_only_a_page_of_the_console_is_returned_to(string? returnUrl, string expected) =>
        Assert.Equal(expected, SessionEndpoints.LocalOnly(returnUrl));

    [Fact]
    public void A_validation_problem_is_told_with_its_fields()
    {
        var problem = ApiProblem.From(400, "Bad Request",
            """{"title":"One or more validation errors occurred.","status":400,"errors":{"name":["A library needs a name."],"versions":["Versions are 1 to 64 characters."]}}""");

        Assert.Equal(400, problem.Status);
        Assert.Equal("One or more validation errors occurred. name: A library needs a name. versions: Versions are 1 to 64 characters.", problem.Message);
        Assert.False(problem.SessionEnded);
    }

    [Fact]
    public void A_problem_with_a_detail_says_it_after_the_title()
    {
        var problem = ApiProblem.From(409, "Conflict", """{"title":"Name taken","detail":"A library named react exists."}""");

        Assert.Equal("Name taken. A library named react exists.", problem.Message);
    }

    [Fact]
    public void An_answer_that_is_no_problem_document_still_says_what_happened()
    {
        var problem = ApiProblem.From(502, "Bad Gateway", "<html>upstream</html>");

        Assert.Equal("Bad Gateway", problem.Title);
        Assert.Empty(problem.Errors);
    }
}

public sealed class SnippetTextTests
{
    [Fact]
    public void Marked_terms_are_marked_and_everything_else_is_text_decoded_once()
    {
        var segments = SnippetText.Segments("Set <mark>proxy</mark> in &lt;script&gt;alert(1)&lt;/script&gt; &amp;amp; <mark>vite</mark>").ToList();

        Assert.Equal(
            [("Set ", false), ("proxy", true), (" in <script>alert(1)</script> &amp; ", false), ("vite", true)],
            segments);
    }
}
