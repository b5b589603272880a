using System.Security.Cryptography;
using System.Text;
using DocAIche.Documents.Chunking;

namespace DocAIche.UnitTests.Documents;

public sealed class MarkdownChunkerTests
{
    private static readonly Uri Doc = new("https://docs.example.com/guide");

    private static readonly MarkdownChunker Small = new(new ChunkingOptions { TargetCharacters = 200, OverlapCharacters = 60, MaxCharacters = 600 });

    [Fact]
    public void Headings_give_each_chunk_a_breadcrumb_anchor_and_url()
    {
        const string markdown = """
            Preface text before any heading, which belongs to the page itself.

            # Guide

            This guide explains how the tool is installed and used in practice.

            ## Install

            Installation needs a recent runtime and network access to the registry.

            ### From source

            Building from source needs the SDK, a compiler and about ten minutes.

            ## Use

            Run the tool with a configuration file in the current directory.
            """;

        var chunks = Small.Chunk(markdown, "Guide", Doc);

        Assert.Equal(["Guide", "Guide", "Guide > Install", "Guide > Install > From source", "Guide > Use"], chunks.Select(c => c.Breadcrumb));
        Assert.Equal([null, "guide", "install", "from-source", "use"], chunks.Select(c => c.Anchor));
        Assert.Equal(
            ["https://docs.example.com/guide", "https://docs.example.com/guide#guide", "https://docs.example.com/guide#install",
                "https://docs.example.com/guide#from-source", "https://docs.example.com/guide#use"],
            chunks.Select(c => c.Url));
        Assert.Equal([0, 1, 2, 3, 4], chunks.Select(c => c.Ordinal));
        Assert.Equal("### From source\n\nBuilding from source needs the SDK, a compiler and about ten minutes.", chunks[3].Content);
    }

    [Fact]
    public void A_level_one_heading_that_differs_from_the_title_is_part_of_the_breadcrumb()
    {
        var chunks = Small.Chunk("# Overview\n\nSome text that is long enough to stand alone as its own chunk here.\n\n## Details\n\nMore text that is long enough to stand alone as a chunk.", "Product", null);

        Assert.Equal(["Product > Overview", "Product > Overview > Details"], chunks.Select(c => c.Breadcrumb));
        Assert.All(chunks, c => Assert.Null(c.Url));
    }

    [Fact]
    public void A_heading_with_nothing_under_it_joins_the_next_chunk()
    {
        var chunks = Small.Chunk("## Install\n\n### With pip\n\nRun pip install example and wait for it to finish downloading.", "Guide", Doc);

        var chunk = Assert.Single(chunks);
        Assert.Equal("Guide > Install > With pip", chunk.Breadcrumb);
        Assert.Equal("with-pip", chunk.Anchor);
        Assert.StartsWith("## Install\n\n### With pip\n\nRun pip", chunk.Content, StringComparison.Ordinal);
    }

    [Fact]
    public void Repeated_headings_get_numbered_anchors_like_github()
    {
        var body = "\n\nA paragraph that is long enough not to be merged into the next section.\n\n";
        var chunks = Small.Chunk("## Example" + body + "## Example" + body + "## Example" + body + "## Example 1" + body, "T", Doc);

        Assert.Equal(["example", "example-1", "example-2", "example-1-1"], chunks.Select(c => c.Anchor));
    }

    [Theory]
    [InlineData("Hello, World!", "hello-world")]
    [InlineData("API v2.0 (beta)", "api-v20-beta")]
    [InlineData("Foo  Bar", "foo--bar")]
    [InlineData("C# & .NET", "c--net")]
    [InlineData("Überblick", "überblick")]
    [InlineData("snake_case-name", "snake_case-name")]
    public void Slugs_follow_github(string heading, string slug) => Assert.Equal(slug, MarkdownChunker.Slug(heading));

    [Fact]
    public void An_explicit_heading_id_is_the_anchor()
    {
        var chunk = Assert.Single(Small.Chunk("## Set up {#setup}\n\nText.", "T", Doc));

        Assert.Equal("setup", chunk.Anchor);
        Assert.Equal("T > Set up", chunk.Breadcrumb);
    }

    [Fact]
    public void A_code_block_larger_than_the_target_stays_whole()
    {
        var code = "```csharp\n" + string.Join('\n', Enumerable.Range(0, 25).Select(i => $"var value{i} = {i};")) + "\n```";
        Assert.InRange(code.Length, 300, 600);

        var chunks = Small.Chunk($"## Code\n\nThe example below sets a few values.\n\n{code}\n\nAfter the code.", "T", Doc);

        Assert.Single(chunks, c => c.Content.Contains(code, StringComparison.Ordinal));
    }

    [Fact]
    public void A_table_larger_than_the_target_stays_whole()
    {
        var table = "| Name | Meaning |\n| --- | --- |\n" + string.Join('\n', Enumerable.Range(0, 15).Select(i => $"| option{i} | does thing {i} |"));
        Assert.InRange(table.Length, 300, 600);

        var chunks = Small.Chunk($"## Options\n\nSome words first.\n\n{table}\n\nSome words after.", "T", Doc);

        Assert.Single(chunks, c => c.Content.Contains(table, StringComparison.Ordinal));
    }

    [Fact]
    public void A_code_block_over_the_maximum_is_split_with_its_fence_reopened()
    {
        var lines = Enumerable.Range(0, 120).Select(i => $"print('line {i:000}')").ToList();
        var code = "```python title=\"long.py\"\n" + string.Join('\n', lines) + "\n```";

        var chunks = Small.Chunk("## Long\n\n" + code, "T", Doc);

        Assert.True(chunks.Count >= 4);
        Assert.All(chunks, c =>
        {
            Assert.True(c.Content.Length <= 600, $"{c.Content.Length} characters");
            Assert.EndsWith("\n```", c.Content, StringComparison.Ordinal);
            Assert.Contains("```python title=\"long.py\"\n", c.Content, StringComparison.Ordinal);
            Assert.Equal(["python"], c.Languages);
        });
        var rejoined = chunks.SelectMany(c => c.Content.Split('\n')).Where(l => l.StartsWith("print(", StringComparison.Ordinal));
        Assert.Equal(lines, rejoined);
    }

    [Fact]
    public void A_table_over_the_maximum_is_split_with_its_header_repeated()
    {
        var rows = Enumerable.Range(0, 60).Select(i => $"| key{i:00} | value number {i:00} |").ToList();
        var table = "| Key | Value |\n|-----|-------|\n" + string.Join('\n', rows);

        var chunks = Small.Chunk(table, "T", Doc);

        Assert.True(chunks.Count >= 3);
        Assert.All(chunks, c => Assert.StartsWith("| Key | Value |\n|-----|-------|\n| key", c.Content, StringComparison.Ordinal));
        Assert.Equal(rows, chunks.SelectMany(c => c.Content.Split('\n').Skip(2)));
    }

    [Fact]
    public void Consecutive_chunks_of_one_section_overlap()
    {
        var paragraphs = Enumerable.Range(1, 4).Select(i =>
            $"Paragraph {i} talks about one thing at length. It adds a second sentence to be longer. The last sentence of paragraph {i} ends here.").ToList();

        var chunks = Small.Chunk("## Long section\n\n" + string.Join("\n\n", paragraphs), "T", Doc);

        Assert.True(chunks.Count >= 2);
        for (var i = 1; i < chunks.Count; i++)
        {
            var overlap = chunks[i].Content.Split("\n\n")[0];
            Assert.True(overlap.Length <= 60, overlap);
            Assert.EndsWith(overlap, chunks[i - 1].Content, StringComparison.Ordinal);
            Assert.Equal(chunks[0].Breadcrumb, chunks[i].Breadcrumb);
        }

        Assert.StartsWith("The last sentence of paragraph 1", chunks[1].Content, StringComparison.Ordinal);
    }

    [Fact]
    public void No_overlap_is_taken_from_code()
    {
        var code = "```sh\n" + string.Join('\n', Enumerable.Range(0, 12).Select(i => $"echo step {i}")) + "\n```";
        var paragraph = "A paragraph that follows the code and is long enough to need a chunk of its own, more or less, so here it is.";

        var chunks = Small.Chunk($"## S\n\n{code}\n\n{paragraph}", "T", Doc);

        Assert.Equal(2, chunks.Count);
        Assert.Equal(paragraph, chunks[1].Content);
    }

    [Fact]
    public void Languages_are_the_distinct_fence_languages_of_a_chunk()
    {
        const string markdown = "## Examples\n\n```Python title=\"a.py\"\nx = 1\n```\n\n```bash\nls\n```\n\n- item\n\n  ```js\n  let a;\n  ```\n\n```python\ny = 2\n```\n\n```\nplain\n```";

        var chunk = Assert.Single(new MarkdownChunker(new ChunkingOptions()).Chunk(markdown, "T", Doc));

        Assert.Equal(["python", "bash", "js"], chunk.Languages);
    }

    [Fact]
    public void Hashes_are_deterministic_and_cover_the_breadcrumb()
    {
        const string markdown = "# T\n\nText one.\n\n## A\n\nText two that is long enough to stay in its own chunk of the document.";
        var chunker = new MarkdownChunker(new ChunkingOptions());

        var first = chunker.Chunk(markdown, "T", Doc);
        var second = chunker.Chunk(markdown, "T", Doc);
        var renamed = chunker.Chunk(markdown, "Renamed", Doc);

        Assert.Equal(first.Select(c => c.ContentHash), second.Select(c => c.ContentHash));
        Assert.All(first, c => Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(c.Breadcrumb + "\n" + c.Content))), c.ContentHash));
        Assert.NotEqual(first[0].ContentHash, renamed[0].ContentHash);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   \n\n\t\n")]
    public void An_empty_document_has_no_chunks(string markdown) => Assert.Empty(Small.Chunk(markdown, "T", Doc));

    [Fact]
    public void An_unclosed_fence_loses_nothing()
    {
        var chunk = Assert.Single(Small.Chunk("Intro.\n\n```js\nlet a = 1;\nlet b = 2;", "T", Doc));

        Assert.Equal("Intro.\n\n```js\nlet a = 1;\nlet b = 2;", chunk.Content);
    }

    [Fact]
    public void Absurdly_nested_markdown_is_chunked_as_text()
    {
        var markdown = new string('>', 100_000) + " x";

        var chunks = Small.Chunk(markdown, "T", Doc);

        Assert.NotEmpty(chunks);
        Assert.All(chunks, c => Assert.True(c.Content.Length <= 600));
        Assert.Equal(markdown.Replace(" ", "", StringComparison.Ordinal), string.Concat(chunks.Select(c => c.Content)).Replace(" ", "", StringComparison.Ordinal));
    }

    [Fact]
    public void Options_outside_their_ranges_are_refused()
    {
        var options = new ChunkingOptions { TargetCharacters = 50, OverlapCharacters = 40, MaxCharacters = 10 };

        Assert.Equal(3, options.Validate().Count);
        Assert.Throws<ArgumentException>(() => new MarkdownChunker(options));
        Assert.Empty(new ChunkingOptions().Validate());
    }
}
