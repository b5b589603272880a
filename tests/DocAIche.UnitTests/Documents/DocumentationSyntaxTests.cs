using DocAIche.Documents.Chunking;
using DocAIche.Documents.Processing;

namespace DocAIche.UnitTests.Documents;

/// <summary>
/// What real documentation sites write besides Markdown, on small samples shaped like react.dev
/// (MDX in .md files), FastAPI's MkDocs pages and Tailwind's MDX: it must not reach titles,
/// breadcrumbs, anchors or the searched text.
/// </summary>
public sealed class DocumentationSyntaxTests
{
    private static readonly MarkdownChunker Chunker = new(new ChunkingOptions { TargetCharacters = 400, OverlapCharacters = 60, MaxCharacters = 1200 });

    private const string ReactReference = """
        ---
        title: useState
        ---

        <Intro>

        `useState` is a React Hook that lets you add a [state variable](/learn/state-a-components-memory) to your component.

        ```js
        const [state, setState] = useState(initialState)
        ```

        </Intro>

        <InlineToc />

        ---

        ## Reference {/*reference*/}

        ### `useState(initialState)` {/*usestate*/}

        Call `useState` at the top level of your component to declare a state variable.

        #### Parameters {/*parameters*/}

        * `initialState`: The value you want the state to be initially.

        ## Usage {/*usage*/}

        1. The <CodeStep step={1}>current state</CodeStep> of this state variable, initially the <CodeStep step={3}>initial state</CodeStep>.
        2. Write `<CodeStep step={2}>` in a code span and it stays.

        <Sandpack>

        ```js
        export default function Counter() {
          const [count, setCount] = useState(0); // {/*not a comment here*/}
          return <button style={{ color: 'red' }}>{count}</button>;
        }
        ```

        </Sandpack>
        """;

    [Fact]
    public void React_mdx_in_a_markdown_file_loses_its_components_and_heading_comments()
    {
        var page = DocumentNormaliser.Normalise(ReactReference, ContentKind.Markdown, "useState");

        Assert.Equal("useState", page.Title);
        Assert.DoesNotContain("<Intro>", page.Markdown, StringComparison.Ordinal);
        Assert.DoesNotContain("InlineToc", page.Markdown, StringComparison.Ordinal);
        Assert.DoesNotContain("{/*", page.Markdown.Split("```")[0] + page.Markdown.Split("```")[2], StringComparison.Ordinal);
        Assert.Contains("#### Parameters {#parameters}", page.Markdown, StringComparison.Ordinal);
        Assert.Contains("1. The current state of this state variable, initially the initial state.", page.Markdown, StringComparison.Ordinal);
        Assert.Contains("Write `<CodeStep step={2}>` in a code span", page.Markdown, StringComparison.Ordinal);
        // Code is exactly as written, JSX and all.
        Assert.Contains("  const [count, setCount] = useState(0); // {/*not a comment here*/}\n  return <button style={{ color: 'red' }}>{count}</button>;",
            page.Markdown, StringComparison.Ordinal);
    }

    [Fact]
    public void React_heading_comments_are_anchors_and_stay_out_of_breadcrumbs_and_text()
    {
        var page = DocumentNormaliser.Normalise(ReactReference, ContentKind.Markdown, "useState");
        var chunks = Chunker.Chunk(page.Markdown, page.Title, new Uri("https://react.dev/reference/react/useState"));

        var parameters = Assert.Single(chunks, c => c.Breadcrumb.EndsWith("Parameters", StringComparison.Ordinal));
        Assert.Equal("useState > Reference > useState(initialState) > Parameters", parameters.Breadcrumb);
        Assert.Equal("parameters", parameters.Anchor);
        Assert.Equal("https://react.dev/reference/react/useState#parameters", parameters.Url);
        Assert.Contains(chunks, c => c.Anchor == "usage");
        Assert.All(chunks, c =>
        {
            Assert.DoesNotContain("{#", c.Content, StringComparison.Ordinal);
            Assert.DoesNotContain("{/*", c.Breadcrumb, StringComparison.Ordinal);
            Assert.DoesNotContain("-parameters-parameters", c.Url ?? "", StringComparison.Ordinal);
        });
    }

    [Theory]
    [InlineData("## Declare a path parameter { #declare-a-path-parameter }", "Declare a path parameter", "declare-a-path-parameter")]
    [InlineData("## Declare a path parameter {#declare-a-path-parameter}", "Declare a path parameter", "declare-a-path-parameter")]
    [InlineData("## Order matters { #order-matters .highlight }", "Order matters", "order-matters")]
    [InlineData("## Kramdown style {: #kramdown-style}", "Kramdown style", "kramdown-style")]
    [InlineData("## Parameters {/*parameters*/}", "Parameters", "parameters")]
    [InlineData("## Closed ATX {#closed} ##", "Closed ATX", "closed")]
    public void Explicit_heading_ids_in_every_known_syntax_become_the_anchor(string heading, string text, string anchor)
    {
        var page = DocumentNormaliser.Normalise($"# Path Parameters\n\n{heading}\n\nYou can declare path parameters with the same syntax.", ContentKind.Markdown, "path-params");
        var chunk = Assert.Single(Chunker.Chunk(page.Markdown, page.Title, new Uri("https://fastapi.tiangolo.com/tutorial/path-params/")),
            c => c.Anchor is not null);

        Assert.Equal(anchor, chunk.Anchor);
        Assert.Equal($"Path Parameters > {text}", chunk.Breadcrumb);
        Assert.Contains($"\n## {text}\n", "\n" + chunk.Content, StringComparison.Ordinal);
        Assert.DoesNotContain("{", chunk.Content, StringComparison.Ordinal);
        Assert.Equal($"https://fastapi.tiangolo.com/tutorial/path-params/#{anchor}", chunk.Url);
    }

    [Fact]
    public void A_heading_id_inside_code_is_code()
    {
        const string markdown = "# Title\n\n```markdown\n## Parameters {/*parameters*/}\n## Setup { #setup }\n```";

        var page = DocumentNormaliser.Normalise(markdown, ContentKind.Markdown, "t");

        Assert.Contains("## Parameters {/*parameters*/}\n## Setup { #setup }", page.Markdown, StringComparison.Ordinal);
    }

    [Fact]
    public void A_title_with_an_id_is_plain_text()
    {
        var page = DocumentNormaliser.Normalise("# First Steps { #first-steps }\n\nThe simplest FastAPI file.", ContentKind.Markdown, "first-steps");

        Assert.Equal("First Steps", page.Title);
    }

    [Fact]
    public void Tailwind_mdx_exports_give_the_title_and_the_description_and_jsx_props_go()
    {
        const string mdx = """
            import { ApiTable } from "@/components/api-table.tsx";
            import { Example } from "@/components/example.tsx";
            import { Figure } from "@/components/figure.tsx";

            export const title = "Hover, focus, and other states";
            export const description = "Using utilities to style elements on hover, focus, and more.";

            Every utility class in Tailwind can be applied _conditionally_ by adding a variant.

            <Figure>

            <Example>
              {
                <div className="grid grid-cols-2" style={{ gap: "1rem" }}>
                  <button className="bg-sky-500 hover:bg-sky-700">Save changes</button>
                </div>
              }
            </Example>

            </Figure>

            ## Pseudo-classes

            Style an element on hover with the <code>hover</code> variant, or <span style={{ color: "red" }}>focus</span> it.
            """;

        var page = DocumentNormaliser.Normalise(mdx, ContentKind.Mdx, "hover-focus-and-other-states");

        Assert.Equal("Hover, focus, and other states", page.Title);
        Assert.StartsWith("Using utilities to style elements on hover, focus, and more.\n\nEvery utility class", page.Markdown, StringComparison.Ordinal);
        Assert.DoesNotContain("import", page.Markdown, StringComparison.Ordinal);
        Assert.DoesNotContain("style={{", page.Markdown, StringComparison.Ordinal);
        Assert.Contains("or focus it.", page.Markdown, StringComparison.Ordinal);
    }

    [Fact]
    public void A_front_matter_description_is_the_first_paragraph_after_the_title_heading()
    {
        const string markdown = "---\ntitle: Server Options\ndescription: \"How the dev server listens, proxies and watches.\"\n---\n# Server Options\n\nUnless noted, the options in this section are only applied to dev.";

        var page = DocumentNormaliser.Normalise(markdown, ContentKind.Markdown, "server-options");

        Assert.Equal("Server Options", page.Title);
        Assert.Equal("# Server Options\n\nHow the dev server listens, proxies and watches.\n\nUnless noted, the options in this section are only applied to dev.", page.Markdown);
    }

    [Fact]
    public void Plain_markdown_with_html_is_not_read_as_mdx()
    {
        const string markdown = "# Setup\n\nPress <kbd>Ctrl</kbd> and read a < b.\n\n<details>\n<summary>More</summary>\n\nHidden text.\n\n</details>";

        Assert.False(Mdx.LooksLikeMdx(markdown));
        Assert.True(Mdx.LooksLikeMdx("# Title\n\n<Intro>\n\nText\n\n</Intro>"));
        Assert.True(Mdx.LooksLikeMdx("## Parameters {/*parameters*/}\n\nText"));
    }

    [Theory]
    [InlineData("The <CodeStep step={1}>current state</CodeStep> here", "The current state here")]
    [InlineData("A <Link href={\"/x\"} onClick={() => go(a > b)}>link</Link>.", "A link.")]
    [InlineData("Fragments <>stay</> as text", "Fragments stay as text")]
    [InlineData("A <span style={{ color: 'red' }}>red</span> word", "A red word")]
    [InlineData("Plain <b>bold</b> and a < b and `<Foo>` stay", "Plain <b>bold</b> and a < b and `<Foo>` stay")]
    [InlineData("A comment {/* here */} goes", "A comment  goes")]
    [InlineData("An unfinished <Tag that never ends", "An unfinished <Tag that never ends")]
    public void Inline_jsx_leaves_its_text(string line, string expected) => Assert.Equal(expected, Mdx.WithoutInlineJsx(line));
}
