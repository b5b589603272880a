using DocAIche.Documents.Sources;

namespace DocAIche.UnitTests.Documents;

public sealed class CrawlScopeTests
{
    [Theory]
    [InlineData("https://docs.example.test/guide/intro.html", "https://docs.example.test/guide/")]
    [InlineData("https://docs.example.test/guide/", "https://docs.example.test/guide/")]
    [InlineData("https://docs.example.test", "https://docs.example.test/")]
    public void The_crawl_stays_in_the_start_urls_folder(string start, string prefix) =>
        Assert.Equal(prefix, WebsiteCrawler.Prefix(new Uri(start)).AbsoluteUri);

    [Theory]
    [InlineData("HTTPS://Docs.Example.TEST:443/a#section", "https://docs.example.test/a")]
    [InlineData("http://docs.example.test:8080/a?x=1#y", "http://docs.example.test:8080/a?x=1")]
    public void Urls_have_one_spelling(string url, string canonical) =>
        Assert.Equal(canonical, WebsiteCrawler.Canonical(new Uri(url)).AbsoluteUri);

    [Theory]
    [InlineData("https://github.com/acme/docs.git", "https://github.com/acme/docs/blob/abc/docs/a%20b.md")]
    [InlineData("https://gitlab.example.test/acme/docs/", "https://gitlab.example.test/acme/docs/blob/abc/docs/a%20b.md")]
    public void A_repository_file_links_to_its_page_at_the_commit(string repository, string expected) =>
        Assert.Equal(expected, GitRepositoryReader.WebUrl(repository, "abc", "docs/a b.md"));
}
