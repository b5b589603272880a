using DocAIche.Search.Searching;

namespace DocAIche.UnitTests.Search;

public sealed class SnippetsTests
{
    [Fact]
    public void Markup_in_the_documentation_comes_back_as_text()
    {
        var html = Snippets.ToHtml("see <img src=x onerror=alert(1)> and \uE000hooks\uE001 & \"quotes\" 'too'");

        Assert.Equal("see &lt;img src=x onerror=alert(1)&gt; and <mark>hooks</mark> &amp; &quot;quotes&quot; &#39;too&#39;", html);
    }

    [Fact]
    public void A_literal_mark_tag_in_the_text_is_escaped_like_any_other()
    {
        Assert.Equal("&lt;mark&gt;not a match&lt;/mark&gt;", Snippets.ToHtml("<mark>not a match</mark>"));
    }

    [Theory]
    [InlineData("\uE000open", "<mark>open</mark>")]
    [InlineData("close\uE001 only", "close only")]
    [InlineData("\uE000a\uE000b\uE001\uE001", "<mark>ab</mark>")]
    public void Marks_are_always_balanced_whatever_the_markers_say(string headline, string expected)
    {
        Assert.Equal(expected, Snippets.ToHtml(headline));
    }

    [Fact]
    public void The_headline_options_use_the_markers_and_no_html()
    {
        Assert.DoesNotContain("<", Snippets.HeadlineOptions, StringComparison.Ordinal);
        Assert.Contains("StartSel=\uE000", Snippets.HeadlineOptions, StringComparison.Ordinal);
    }
}
