using DocAIche.Documents.Processing;

namespace DocAIche.UnitTests.Documents;

public sealed class MarkdownSanitiserTests
{
    [Fact]
    public void An_inline_tag_with_a_handler_is_removed_and_the_text_around_it_stays()
    {
        var safe = MarkdownSanitiser.Sanitise("Install it <img src=x onerror=alert(1)> with **npm**.");

        Assert.Equal("Install it  with **npm**.", safe);
    }

    [Fact]
    public void A_raw_html_block_keeps_only_its_words()
    {
        var safe = MarkdownSanitiser.Sanitise("# Title\n\n<div class=\"note\" onclick=\"steal()\">\n<p>Read the <b>guide</b> first.</p>\n<script>alert(1)</script>\n</div>\n\nAfter.");

        Assert.DoesNotContain("<", safe, StringComparison.Ordinal);
        Assert.DoesNotContain("alert", safe, StringComparison.Ordinal);
        Assert.Contains("Read the guide first.", safe, StringComparison.Ordinal);
        Assert.Contains("# Title", safe, StringComparison.Ordinal);
        Assert.EndsWith("After.", safe, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("[click](javascript:alert(1))", "click")]
    [InlineData("[click](JaVaScRiPt:alert(1))", "click")]
    [InlineData("[click](<javascript:alert(1)>)", "click")]
    [InlineData("[click](javascript&#58;alert(1))", "click")]
    [InlineData("[**bold** words](vbscript:msgbox)", "**bold** words")]
    [InlineData("![x](data:image/svg+xml;base64,PHN2Zz4=)", "")]
    [InlineData("<javascript:alert(1)>", "")]
    public void Links_that_would_run_script_lose_their_address(string markdown, string expected)
    {
        Assert.Equal(expected, MarkdownSanitiser.Sanitise(markdown));
    }

    [Theory]
    [InlineData("java\tscript:alert(1)")]
    [InlineData(" javascript:alert(1)")]
    [InlineData("java\nscript:alert(1)")]
    [InlineData("DATA:text/html,x")]
    public void Addresses_are_judged_as_a_browser_reads_them(string url)
    {
        Assert.False(MarkdownSanitiser.IsSafe(url));
    }

    [Fact]
    public void A_reference_definition_with_a_script_address_goes()
    {
        var safe = MarkdownSanitiser.Sanitise("See [the docs][d].\n\n[d]: javascript:alert(1)\n");

        Assert.DoesNotContain("javascript", safe, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("[guide](https://example.test/guide)")]
    [InlineData("[guide](../guide.md#install)")]
    [InlineData("[mail](mailto:docs@example.test)")]
    [InlineData("<https://example.test>")]
    [InlineData("Plain text with a < b and c > d.")]
    public void Safe_markdown_is_left_exactly_as_it_was(string markdown)
    {
        Assert.Equal(markdown, MarkdownSanitiser.Sanitise(markdown));
    }

    [Fact]
    public void Html_in_code_is_text_and_stays()
    {
        var markdown = "Use `<div onclick=\"x\">` like this:\n\n```html\n<script>alert(1)</script>\n```\n\n    <b>indented</b>";

        Assert.Equal(markdown, MarkdownSanitiser.Sanitise(markdown));
    }

    [Fact]
    public void Escaped_markup_inside_a_block_does_not_become_markup_again()
    {
        var safe = MarkdownSanitiser.Sanitise("<div>&lt;img src=x onerror=alert(1)&gt;</div>");

        Assert.Equal("\\<img src=x onerror=alert(1)\\>", safe.TrimEnd()); // escaped: it renders as the text it was
    }

    [Fact]
    public void The_normaliser_sanitises_every_markdown_upload()
    {
        var document = DocumentNormaliser.Normalise("# Guide\n\nHello <img src=x onerror=alert(1)> [x](javascript:alert(2))", ContentKind.Markdown, "guide");

        Assert.Equal("# Guide\n\nHello  x", document.Markdown);
    }
}
