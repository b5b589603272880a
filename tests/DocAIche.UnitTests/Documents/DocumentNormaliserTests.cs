using System.Security.Cryptography;
using System.Text;
using DocAIche.Documents.Processing;

namespace DocAIche.UnitTests.Documents;

public sealed class DocumentNormaliserTests
{
    [Fact]
    public void The_title_comes_from_front_matter_which_is_removed()
    {
        var result = DocumentNormaliser.Normalise("---\nid: intro\ntitle: \"Getting started\"\n---\n# Welcome\n\nHello.", ContentKind.Markdown, "intro.md");

        Assert.Equal("Getting started", result.Title);
        Assert.Equal("# Welcome\n\nHello.", result.Markdown);
    }

    [Fact]
    public void Without_front_matter_the_first_level_one_heading_is_the_title()
    {
        var result = DocumentNormaliser.Normalise("Intro text\n\n## Not this\n\n# The `real` *title*\n\nBody", ContentKind.Markdown, "file.md");

        Assert.Equal("The real title", result.Title);
    }

    [Fact]
    public void A_setext_heading_counts_as_a_level_one_heading()
    {
        var result = DocumentNormaliser.Normalise("Setext Title\n============\n\nBody", ContentKind.Markdown, "file.md");

        Assert.Equal("Setext Title", result.Title);
    }

    [Fact]
    public void A_heading_inside_fenced_code_is_not_the_title()
    {
        var result = DocumentNormaliser.Normalise("```sh\n# install it\n```\n\nText", ContentKind.Markdown, "Fallback");

        Assert.Equal("Fallback", result.Title);
    }

    [Fact]
    public void A_thematic_break_at_the_top_is_not_front_matter()
    {
        var result = DocumentNormaliser.Normalise("---\n\nJust text\n\n---\n\nMore", ContentKind.Markdown, "Fallback");

        Assert.Contains("Just text", result.Markdown, StringComparison.Ordinal);
        Assert.StartsWith("---", result.Markdown, StringComparison.Ordinal);
    }

    [Fact]
    public void Line_endings_trailing_whitespace_and_blank_runs_are_tidied()
    {
        var result = DocumentNormaliser.Normalise("\uFEFF# T  \r\n\r\n\r\n\r\nPara one\t\r\nline\rtwo\n\n\n\nPara\0 two\n\n\n", ContentKind.Markdown, "x");

        Assert.Equal("# T\n\nPara one\nline\ntwo\n\nPara two", result.Markdown);
    }

    [Fact]
    public void Fenced_code_keeps_its_blank_lines_and_spacing()
    {
        const string code = "```python\ndef f():  \n\n\n\n    return 1\n```";

        var result = DocumentNormaliser.Normalise("# T\n\n" + code + "\n", ContentKind.Markdown, "x");

        Assert.Contains(code, result.Markdown, StringComparison.Ordinal);
    }

    [Fact]
    public void The_hash_is_lowercase_hex_sha256_of_the_normalised_markdown()
    {
        var result = DocumentNormaliser.Normalise("# Same\r\n\r\nText  \r\n", ContentKind.Markdown, "x");
        var again = DocumentNormaliser.Normalise("# Same\n\nText\n", ContentKind.Markdown, "x");

        var expected = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(result.Markdown)));
        Assert.Equal(expected, result.ContentHash);
        Assert.Equal(result.ContentHash, again.ContentHash);
        Assert.NotEqual(result.ContentHash, DocumentNormaliser.Normalise("# Same\n\nOther", ContentKind.Markdown, "x").ContentHash);
    }

    [Fact]
    public void Plain_text_is_kept_as_it_is_under_the_fallback_title()
    {
        var result = DocumentNormaliser.Normalise("# not a heading to us\n    indented\n", ContentKind.PlainText, "notes.txt");

        Assert.Equal("notes.txt", result.Title);
        Assert.Equal("# not a heading to us\n    indented", result.Markdown);
    }

    [Fact]
    public void Markdown_links_are_collected_against_the_page_address()
    {
        var result = DocumentNormaliser.Normalise("# T\n\nSee [setup](setup.md#install) and [site](https://example.org/).",
            ContentKind.Markdown, "x", new Uri("https://docs.example.com/guide/intro.md"));

        Assert.Equal(["https://docs.example.com/guide/setup.md", "https://example.org/"], result.Links.Select(l => l.AbsoluteUri));
    }

    [Fact]
    public void Mdx_imports_exports_and_component_tags_go_but_their_text_stays()
    {
        const string mdx = """
            ---
            title: Install
            ---
            import Tabs from '@theme/Tabs';
            import TabItem from '@theme/TabItem';
            export const meta = {
              author: 'me',
            };

            # Install

            {/* a comment */}

            <Tabs groupId="os">
              <TabItem value="linux" label="Linux">
                Run this:

                ```bash
                <Tabs>not a tag here</Tabs>
                import nothing
                ```
              </TabItem>
            </Tabs>

            <Note>Keep this text.</Note>

            <Callout
              type="info"
            >
            Inside the callout.
            </Callout>

            <Badge text="new" />
            """;

        var result = DocumentNormaliser.Normalise(mdx, ContentKind.Mdx, "install.mdx");

        Assert.Equal("Install", result.Title);
        Assert.Equal("""
            # Install

            Run this:

            ```bash
            <Tabs>not a tag here</Tabs>
            import nothing
            ```

            Keep this text.

            Inside the callout.
            """, result.Markdown);
    }

    [Fact]
    public void Restructured_text_sections_become_headings_by_order_of_first_appearance()
    {
        const string rst = """
            ==========
            User Guide
            ==========

            Intro paragraph.

            Installing
            ----------

            Text.

            From source
            ~~~~~~~~~~~

            More.

            Configuring
            -----------
            """;

        var result = DocumentNormaliser.Normalise(rst, ContentKind.ReStructuredText, "guide.rst");

        Assert.Equal("User Guide", result.Title);
        Assert.Equal("# User Guide\n\nIntro paragraph.\n\n## Installing\n\nText.\n\n### From source\n\nMore.\n\n## Configuring", result.Markdown);
    }

    [Fact]
    public void Restructured_text_code_blocks_become_fenced_code_with_their_language()
    {
        const string rst = """
            Title
            =====

            .. code-block:: python
               :linenos:

               def f():

                   return 1

            Run it::

                $ python f.py

            .. highlight:: console

            Or this:

            ::

                $ make
            """;

        var result = DocumentNormaliser.Normalise(rst, ContentKind.ReStructuredText, "x");

        Assert.Contains("```python\ndef f():\n\n    return 1\n```", result.Markdown, StringComparison.Ordinal);
        Assert.Contains("Run it:\n\n```\n$ python f.py\n```", result.Markdown, StringComparison.Ordinal);
        Assert.Contains("Or this:\n\n```console\n$ make\n```", result.Markdown, StringComparison.Ordinal);
    }

    [Fact]
    public void Restructured_text_admonitions_literals_and_links_are_converted()
    {
        const string rst = """
            Title
            =====

            Use ``pip install x`` or see `the docs <https://example.org/docs>`_ and :func:`~pkg.mod.run`.

            .. note:: Mind the gap.

               Second paragraph.

            .. warning::

               Be careful.

            .. _hidden-target:

            .. toctree::
               :maxdepth: 2

               intro

            .. only:: html

               Shown in HTML builds.

            .. autoclass:: pkg.Thing
               :members:
            """;

        var result = DocumentNormaliser.Normalise(rst, ContentKind.ReStructuredText, "x");

        Assert.Contains("Use `pip install x` or see [the docs](https://example.org/docs) and `run`.", result.Markdown, StringComparison.Ordinal);
        Assert.Contains("> **Note:** Mind the gap.\n>\n> Second paragraph.", result.Markdown, StringComparison.Ordinal);
        Assert.Contains("> **Warning:** Be careful.", result.Markdown, StringComparison.Ordinal);
        Assert.DoesNotContain("hidden-target", result.Markdown, StringComparison.Ordinal);
        Assert.DoesNotContain("toctree", result.Markdown, StringComparison.Ordinal);
        Assert.Contains("Shown in HTML builds.", result.Markdown, StringComparison.Ordinal);
        Assert.DoesNotContain(".. only", result.Markdown, StringComparison.Ordinal);
        Assert.DoesNotContain("autoclass", result.Markdown, StringComparison.Ordinal);
    }

    [Fact]
    public void A_doctest_block_becomes_code_rather_than_nested_quotes()
    {
        var result = DocumentNormaliser.Normalise("Example\n=======\n\n>>> 1 + 1\n2\n", ContentKind.ReStructuredText, "x");

        Assert.Contains("```pycon\n>>> 1 + 1\n2\n```", result.Markdown, StringComparison.Ordinal);
    }

    [Fact]
    public void Html_goes_through_the_html_converter()
    {
        var result = DocumentNormaliser.Normalise("<html><head><title>Page</title></head><body><main><h1>Hello</h1><p>World</p></main></body></html>",
            ContentKind.Html, "x", new Uri("https://example.com/"));

        Assert.Equal("Hello", result.Title);
        Assert.Equal("# Hello\n\nWorld", result.Markdown);
    }

    [Fact]
    public void A_long_title_is_cut_to_what_a_document_can_store()
    {
        var result = DocumentNormaliser.Normalise("# " + string.Join(' ', Enumerable.Repeat("word", 200)), ContentKind.Markdown, "x");

        Assert.True(result.Title.Length <= DocAIche.Documents.Model.Document.TitleMaxLength);
        Assert.EndsWith("…", result.Title, StringComparison.Ordinal);
    }
}
