using DocAIche.Documents.Crawling;

namespace DocAIche.UnitTests.Documents;

public sealed class SitemapDocumentTests
{
    [Fact]
    public void A_urlset_lists_pages()
    {
        const string xml = """
            <?xml version="1.0" encoding="UTF-8"?>
            <urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:image="http://www.google.com/schemas/sitemap-image/1.1">
              <url><loc> https://docs.example.com/a </loc><lastmod>2024-01-01</lastmod></url>
              <url><loc><![CDATA[https://docs.example.com/b?x=1&y=2]]></loc>
                <image:image><image:loc>https://docs.example.com/img.png</image:loc></image:image></url>
              <url><loc>https://docs.example.com/a</loc></url>
              <url><loc>ftp://docs.example.com/c</loc></url>
              <url><loc>not a url</loc></url>
            </urlset>
            """;

        var sitemap = SitemapDocument.Parse(xml);

        Assert.Equal(["https://docs.example.com/a", "https://docs.example.com/b?x=1&y=2"], sitemap.Pages.Select(p => p.AbsoluteUri));
        Assert.Empty(sitemap.Sitemaps);
    }

    [Fact]
    public void A_sitemap_index_lists_sitemaps_in_any_namespace()
    {
        const string xml = """
            <sm:sitemapindex xmlns:sm="http://www.sitemaps.org/schemas/sitemap/0.9">
              <sm:sitemap><sm:loc>https://docs.example.com/sitemap-1.xml</sm:loc></sm:sitemap>
              <sm:sitemap><sm:loc>https://docs.example.com/sitemap-2.xml.gz</sm:loc></sm:sitemap>
            </sm:sitemapindex>
            """;

        var sitemap = SitemapDocument.Parse(xml);

        Assert.Empty(sitemap.Pages);
        Assert.Equal(2, sitemap.Sitemaps.Count);
    }

    [Fact]
    public void Entries_stop_at_the_limit()
    {
        var xml = "<urlset>" + string.Concat(Enumerable.Range(0, 100).Select(i => $"<url><loc>https://x.example/{i}</loc></url>")) + "</urlset>";

        Assert.Equal(10, SitemapDocument.Parse(xml, maxEntries: 10).Pages.Count);
    }

    [Theory]
    [InlineData("<urlset><url><loc>https://x.example/</loc></url>")]
    [InlineData("not xml at all")]
    [InlineData("")]
    [InlineData("<urlset><url><loc>https://x.example/</loc></url></wrong>")]
    public void Malformed_xml_gives_an_empty_result(string xml)
    {
        var sitemap = SitemapDocument.Parse(xml);

        Assert.Empty(sitemap.Pages);
        Assert.Empty(sitemap.Sitemaps);
    }

    [Fact]
    public void A_document_type_definition_is_refused()
    {
        const string xml = """
            <?xml version="1.0"?>
            <!DOCTYPE urlset [<!ENTITY a "https://x.example/"><!ENTITY b "&a;&a;&a;&a;">]>
            <urlset><url><loc>&b;</loc></url></urlset>
            """;

        Assert.Empty(SitemapDocument.Parse(xml).Pages);
    }
}
