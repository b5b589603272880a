using DocAIche.Documents.Processing;

namespace DocAIche.UnitTests.Documents;

/// <summary>Markdown links as the crawler follows them, here from an llms.txt file (llmstxt.org).</summary>
public sealed class MarkdownLinksTests
{
    [Fact]
    public void Links_are_resolved_against_the_file_and_listed_once()
    {
        const string text = """
            # Example

            > A library for examples.

            ## Docs

            - [Quick start](https://docs.example.com/start.md): how to begin
            - [API](/api/index.md "API reference")
            - [Guide](guide/intro.md#part-2)
            - [Guide again](guide/intro.md)
            - [Wiki](<https://en.wikipedia.org/wiki/Foo_(bar)>)
            - [Paren](https://example.org/a_(b))

            ## Optional

            - [Mail](mailto:team@example.com)
            - [Script](javascript:alert(1))
            - ![Logo](https://docs.example.com/logo.png)
            """;

        var links = MarkdownLinks.Extract(text, new Uri("https://docs.example.com/llms.txt"));

        Assert.Equal(
            [
                "https://docs.example.com/start.md",
                "https://docs.example.com/api/index.md",
                "https://docs.example.com/guide/intro.md",
                "https://en.wikipedia.org/wiki/Foo_(bar)",
                "https://example.org/a_(b)",
            ],
            links.Select(l => l.AbsoluteUri));
    }

    [Fact]
    public void A_file_without_links_has_none() =>
        Assert.Empty(MarkdownLinks.Extract("# Title\n\nJust text [not a link] (here).", new Uri("https://x.example/llms.txt")));
}
