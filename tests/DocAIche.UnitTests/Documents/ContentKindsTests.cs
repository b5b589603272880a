using DocAIche.Documents.Processing;

namespace DocAIche.UnitTests.Documents;

public sealed class ContentKindsTests
{
    [Theory]
    [InlineData("docs/intro.md", nameof(ContentKind.Markdown))]
    [InlineData("README.MARKDOWN", nameof(ContentKind.Markdown))]
    [InlineData("guide/setup.mdx", nameof(ContentKind.Mdx))]
    [InlineData("index.html", nameof(ContentKind.Html))]
    [InlineData("/api/Page.HTM", nameof(ContentKind.Html))]
    [InlineData("notes.txt", nameof(ContentKind.PlainText))]
    [InlineData("notes.text", nameof(ContentKind.PlainText))]
    [InlineData("usage.rst", nameof(ContentKind.ReStructuredText))]
    public void Known_extensions_give_their_kind(string path, string kind) =>
        Assert.Equal(Enum.Parse<ContentKind>(kind), ContentKinds.FromPath(path));

    [Theory]
    [InlineData("logo.png")]
    [InlineData("Makefile")]
    [InlineData("archive.md.zip")]
    [InlineData("docs/")]
    public void Other_files_have_no_kind(string path) => Assert.Null(ContentKinds.FromPath(path));

    [Theory]
    [InlineData("text/markdown", nameof(ContentKind.Markdown))]
    [InlineData("text/x-markdown; charset=utf-8", nameof(ContentKind.Markdown))]
    [InlineData("Text/HTML; charset=UTF-8", nameof(ContentKind.Html))]
    [InlineData("application/xhtml+xml", nameof(ContentKind.Html))]
    [InlineData(" text/plain ", nameof(ContentKind.PlainText))]
    [InlineData("text/x-rst", nameof(ContentKind.ReStructuredText))]
    public void Known_media_types_give_their_kind(string mediaType, string kind) =>
        Assert.Equal(Enum.Parse<ContentKind>(kind), ContentKinds.FromMediaType(mediaType));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("application/json")]
    [InlineData("image/png")]
    [InlineData("text/htmlx")]
    public void Other_media_types_have_no_kind(string? mediaType) => Assert.Null(ContentKinds.FromMediaType(mediaType));
}
