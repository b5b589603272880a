using System.Text;
using DocAIche.Documents.Processing;

namespace DocAIche.UnitTests.Documents;

public sealed class HtmlToMarkdownTests
{
    private static readonly Uri Page = new("https://docs.example.com/guide/start.html");

    private static string Body(string html) => HtmlToMarkdown.Convert($"<html><body><main>{html}</main></body></html>", Page, "Fallback").Markdown;

    [Fact]
    public void Only_the_main_content_is_kept()
    {
        const string html = """
            <html><head><title>Start - Example Docs</title></head><body>
            <header class="site-header"><a href="/">Home</a><nav><a href="/guide/">Guide</a></nav></header>
            <div class="sidebar"><a href="/api/">API</a></div>
            <main>
              <nav class="breadcrumbs"><a href="/">Docs</a></nav>
              <h1>Getting started<a class="headerlink" href="#getting-started">¶</a></h1>
              <a class="md-content__button" title="Edit this page" href="https://github.com/x/edit/main/start.md">Edit</a>
              <p>Install the tool.</p>
              <h2 class="anchor anchorWithStickyNavbar_LWe7" id="requirements">Requirements<a href="#requirements" class="hash-link">&#8203;</a></h2>
              <div class="theme-doc-toc-mobile">On this page</div>
              <div class="cookie-banner">We use cookies</div>
              <aside>Related</aside>
              <button>Copy</button>
              <script>alert(1)</script>
            </main>
            <footer>© Example</footer>
            </body></html>
            """;

        var result = HtmlToMarkdown.Convert(html, Page, "Fallback");

        Assert.Equal("# Getting started\n\nInstall the tool.\n\n## Requirements", result.Markdown);
        Assert.Equal("Getting started", result.Title);
    }

    [Fact]
    public void Links_come_from_the_whole_page_resolved_without_fragments_and_once_each()
    {
        const string html = """
            <html><head><base href="/v2/"><link rel="canonical" href="guide/start"></head><body>
            <nav><a href="/guide/">Guide</a><a href="api.html#section">API</a></nav>
            <main>
              <a href="api.html">API again</a>
              <a href="https://other.example.org/x?y=1#z">Other</a>
              <a href="javascript:alert(1)">Bad</a>
              <a href="mailto:me@example.com">Mail</a>
              <a href="#local">Local</a>
              <a href="ftp://files.example.com/">FTP</a>
            </main></body></html>
            """;

        var result = HtmlToMarkdown.Convert(html, Page, "Fallback");

        Assert.Equal(
            ["https://docs.example.com/guide/", "https://docs.example.com/v2/api.html", "https://other.example.org/x?y=1", "https://docs.example.com/v2/"],
            result.Links.Select(l => l.AbsoluteUri));
        Assert.Equal("https://docs.example.com/v2/guide/start", result.Canonical?.AbsoluteUri);
    }

    [Fact]
    public void Inline_markup_becomes_markdown_with_absolute_links()
    {
        var markdown = Body("<p>Use <strong>bold</strong>, <em>emphasis</em> and <code>a `tick`</code>. See <a href='../api/'>the API</a> or <a href='javascript:void(0)'>this</a>.<br>Next line.</p>");

        Assert.Equal("Use **bold**, *emphasis* and `` a `tick` ``. See [the API](https://docs.example.com/api/) or this.\nNext line.", markdown);
    }

    [Fact]
    public void Whitespace_collapses_and_markers_never_wrap_spaces()
    {
        var markdown = Body("<p>  one\n\t two <b> three </b>four<em></em> </p>");

        Assert.Equal("one two **three** four", markdown);
    }

    [Fact]
    public void Headings_keep_their_level_and_lose_their_links()
    {
        var markdown = Body("<h2>Part <a href='#part'>one</a></h2><h6>Deep</h6>");

        Assert.Equal("## Part one\n\n###### Deep", markdown);
    }

    [Fact]
    public void Code_blocks_keep_their_text_exactly_and_their_language()
    {
        var markdown = Body("""
            <div class="highlight-python notranslate"><div class="highlight"><pre><span class="k">def</span> <span class="nf">f</span>():
                <span class="k">return</span>  1   

            x = "```"
            </pre></div></div>
            <pre><code class="language-TypeScript">let a = 1;</code></pre>
            <pre data-lang="bash">echo hi</pre>
            <pre class="sourceCode haskell"><code>main = pure ()</code></pre>
            """);

        Assert.Equal("""
            ````python
            def f():
                return  1   

            x = "```"
            ````

            ```typescript
            let a = 1;
            ```

            ```bash
            echo hi
            ```

            ```haskell
            main = pure ()
            ```
            """, markdown);
    }

    [Fact]
    public void Line_numbers_beside_code_are_left_out()
    {
        var markdown = Body("<pre><code class='language-js'><span class='linenos'>1</span>let a;\n<span class='linenos'>2</span>let b;</code></pre>");

        Assert.Equal("```js\nlet a;\nlet b;\n```", markdown);
    }

    [Fact]
    public void Lists_nest_with_indentation()
    {
        var markdown = Body("<ul><li>One<ul><li>One.a</li><li>One.b</li></ul></li><li>Two</li></ul><ol start='3'><li>Three</li><li><p>Four</p><pre>code</pre></li></ol>");

        Assert.Equal("- One\n  - One.a\n  - One.b\n- Two\n\n3. Three\n4. Four\n\n   ```\n   code\n   ```", markdown);
    }

    [Fact]
    public void Block_quotes_and_definition_lists_are_converted()
    {
        var markdown = Body("<blockquote><p>Quoted</p><p>twice</p></blockquote><dl><dt>term</dt><dd>meaning</dd></dl>");

        Assert.Equal("> Quoted\n>\n> twice\n\n**term**\nmeaning", markdown);
    }

    [Fact]
    public void A_quote_that_starts_with_a_list_is_set_apart_from_the_text_before_it()
    {
        var markdown = Body("<p>Before</p><blockquote><ul><li>quoted item</li></ul></blockquote><p>After</p>");

        Assert.Equal("Before\n\n> - quoted item\n\nAfter", markdown);
    }

    [Fact]
    public void Tables_become_pipe_tables()
    {
        var markdown = Body("""
            <table>
              <thead><tr><th>Name</th><th>Value</th></tr></thead>
              <tbody>
                <tr><td><code>a|b</code></td><td>first<br>line</td></tr>
                <tr><td colspan="2">wide</td></tr>
              </tbody>
            </table>
            <table><tr><td>h1</td><td>h2</td></tr><tr><td>c1</td><td>c2</td></tr></table>
            """);

        Assert.Equal("| Name | Value |\n| --- | --- |\n| `a\\|b` | first line |\n| wide |  |\n\n| h1 | h2 |\n| --- | --- |\n| c1 | c2 |", markdown);
    }

    [Fact]
    public void Images_appear_only_with_alt_text()
    {
        var markdown = Body("<p><img src='/img/a.png' alt='Diagram'><img src='/img/b.png'><img src='data:image/png;base64,AAAA' alt='inline'></p>");

        Assert.Equal("![Diagram](https://docs.example.com/img/a.png)", markdown);
    }

    [Fact]
    public void Text_that_looks_like_markdown_is_escaped()
    {
        var markdown = Body("<p># not a heading</p><p>1. not a list</p><p>a * b and <div> tags</p>".Replace("<div>", "&lt;div&gt;", StringComparison.Ordinal));

        Assert.Equal("\\# not a heading\n\n1\\. not a list\n\na \\* b and \\<div> tags", markdown);
    }

    [Fact]
    public void The_article_with_most_text_is_the_content_when_there_is_no_main()
    {
        const string html = """
            <body><article><p>short teaser</p></article>
            <article><header><h1>Real page</h1></header><p>A much longer body of text that is the page.</p></article></body>
            """;

        var result = HtmlToMarkdown.Convert(html, Page, "Fallback");

        Assert.Equal("# Real page\n\nA much longer body of text that is the page.", result.Markdown);
    }

    [Fact]
    public void A_documentation_container_is_used_when_there_is_no_main_or_article()
    {
        const string html = """
            <body><div class="wy-nav-side">Navigation here</div>
            <div class="rst-content"><div role="navigation">crumbs</div><div class="section"><h1>Title</h1><p>Body</p></div></div></body>
            """;

        Assert.Equal("# Title\n\nBody", HtmlToMarkdown.Convert(html, Page, "Fallback").Markdown);
    }

    [Fact]
    public void The_title_falls_back_to_the_title_element_then_to_the_given_title()
    {
        Assert.Equal("From title", HtmlToMarkdown.Convert("<title> From   title </title><p>x</p>", Page, "Fallback").Title);
        Assert.Equal("Fallback", HtmlToMarkdown.Convert("<p>x</p>", Page, "Fallback").Title);
    }

    [Fact]
    public void Relative_links_stay_relative_when_the_page_has_no_address()
    {
        var result = HtmlToMarkdown.Convert("<p><a href='other.html'>Other</a> <a href='https://example.org/'>Site</a></p>", null, "upload.html");

        Assert.Equal("[Other](other.html) [Site](https://example.org/)", result.Markdown);
        Assert.Equal(["https://example.org/"], result.Links.Select(l => l.AbsoluteUri));
    }

    [Fact]
    public void A_hundred_thousand_nested_elements_neither_crash_nor_hang()
    {
        var html = new StringBuilder("<html><body><main><p>top</p>");
        html.Insert(html.Length, "<div>", 100_000).Append("deep text").Insert(html.Length, "</div>", 100_000);
        html.Append("<p>after</p></main></body></html>");

        var result = HtmlToMarkdown.Convert(html.ToString(), Page, "Deep");

        Assert.Contains("top", result.Markdown, StringComparison.Ordinal);
        Assert.Contains("deep text", result.Markdown, StringComparison.Ordinal);
        Assert.Contains("after", result.Markdown, StringComparison.Ordinal);
    }

    [Fact]
    public void Deeply_nested_inline_and_list_markup_is_flattened_past_the_depth_limit()
    {
        var html = string.Concat(Enumerable.Repeat("<ul><li><b><span>x", 2_000)) + "bottom";

        var result = HtmlToMarkdown.Convert(html, Page, "Deep");

        Assert.Contains("bottom", result.Markdown, StringComparison.Ordinal);
    }

    [Fact]
    public void A_five_megabyte_page_converts()
    {
        var html = new StringBuilder("<html><head><title>Big</title></head><body><nav><a href='/nav'>Nav</a></nav><main><h1>Big</h1>");
        var section = 0;
        while (html.Length < 5 * 1024 * 1024)
        {
            html.Append(System.Globalization.CultureInfo.InvariantCulture, $"<h2>Section {section}</h2><p>Some <b>text</b> with a <a href='/p/{section}'>link</a>.</p>")
                .Append("<pre><code class='language-cs'>var x = 1;\n</code></pre><ul><li>one</li><li>two</li></ul>")
                .Append("<table><tr><th>a</th><th>b</th></tr><tr><td>1</td><td>2</td></tr></table>");
            section++;
        }

        html.Append("</main></body></html>");

        var result = HtmlToMarkdown.Convert(html.ToString(), Page, "Big");

        Assert.Equal("Big", result.Title);
        Assert.Contains($"## Section {section - 1}", result.Markdown, StringComparison.Ordinal);
        Assert.Equal(section + 1, result.Links.Count);
    }
}
