using DocAIche.Documents.Crawling;

namespace DocAIche.UnitTests.Documents;

public sealed class RobotsRulesTests
{
    private const string Agent = "DocAIche/1.0 (+https://docaiche.example/bot)";
    private static readonly Uri Robots = new("https://docs.example.com/robots.txt");

    private static RobotsRules Parse(string text) => RobotsRules.Parse(text, Agent, Robots);

    private static bool Allowed(RobotsRules rules, string path) => rules.IsAllowed(new Uri(new Uri("https://docs.example.com"), path));

    [Fact]
    public void Our_own_group_wins_over_the_star_group()
    {
        var rules = Parse("""
            User-agent: *
            Disallow: /

            User-agent: docaiche
            Disallow: /private/
            """);

        Assert.True(Allowed(rules, "/guide/"));
        Assert.False(Allowed(rules, "/private/x"));
    }

    [Fact]
    public void The_star_group_applies_when_no_group_names_us()
    {
        var rules = Parse("""
            User-agent: Googlebot
            Disallow: /

            User-agent: *
            Disallow: /search
            """);

        Assert.True(Allowed(rules, "/guide/"));
        Assert.False(Allowed(rules, "/search?q=x"));
    }

    [Fact]
    public void Consecutive_user_agent_lines_share_a_group_and_matching_groups_combine()
    {
        var rules = Parse("""
            User-agent: otherbot
            User-agent: DOCAICHE
            Disallow: /a/

            User-agent: *
            Disallow: /b/

            user-agent: docaiche
            disallow: /c/
            """);

        Assert.False(Allowed(rules, "/a/1"));
        Assert.True(Allowed(rules, "/b/1"));
        Assert.False(Allowed(rules, "/c/1"));
    }

    [Fact]
    public void The_longest_match_wins_and_allow_wins_a_tie()
    {
        var rules = Parse("""
            User-agent: *
            Disallow: /docs/
            Allow: /docs/public/
            Disallow: /docs/public/secret
            Allow: /tie
            Disallow: /tie
            """);

        Assert.False(Allowed(rules, "/docs/internal"));
        Assert.True(Allowed(rules, "/docs/public/page"));
        Assert.False(Allowed(rules, "/docs/public/secret.html"));
        Assert.True(Allowed(rules, "/tie"));
    }

    [Fact]
    public void Wildcards_and_end_anchors_match()
    {
        var rules = Parse("""
            User-agent: *
            Disallow: /*.pdf$
            Disallow: /*/print/
            Disallow: /exact$
            """);

        Assert.False(Allowed(rules, "/files/manual.pdf"));
        Assert.True(Allowed(rules, "/files/manual.pdf.html"));
        Assert.False(Allowed(rules, "/guide/print/page"));
        Assert.False(Allowed(rules, "/exact"));
        Assert.True(Allowed(rules, "/exact/more"));
    }

    [Fact]
    public void Percent_encoding_is_compared_in_one_form()
    {
        var rules = Parse("""
            User-agent: *
            Disallow: /caf%C3%A9/
            Disallow: /%7Euser/
            Disallow: /a%2fb
            """);

        Assert.False(Allowed(rules, "/café/menu"));
        Assert.False(Allowed(rules, "/~user/home"));
        Assert.False(Allowed(rules, "/a%2Fb"));
        Assert.True(Allowed(rules, "/a/b"));
    }

    [Fact]
    public void An_empty_disallow_allows_everything()
    {
        var rules = Parse("User-agent: *\nDisallow:\n");

        Assert.True(Allowed(rules, "/anything"));
    }

    [Fact]
    public void Robots_txt_itself_is_always_allowed()
    {
        var rules = Parse("User-agent: *\nDisallow: /\n");

        Assert.False(Allowed(rules, "/index.html"));
        Assert.True(Allowed(rules, "/robots.txt"));
        Assert.True(RobotsRules.DisallowAll.IsAllowed(new Uri("https://docs.example.com/robots.txt")));
        Assert.False(RobotsRules.DisallowAll.IsAllowed(new Uri("https://docs.example.com/")));
    }

    [Fact]
    public void Sitemaps_are_global_and_crawl_delay_belongs_to_the_group()
    {
        var rules = Parse("""
            Sitemap: https://docs.example.com/sitemap.xml
            User-agent: docaiche
            Crawl-delay: 2.5
            Sitemap: /sitemap-2.xml
            Disallow: /tmp/ # comment

            User-agent: *
            Crawl-delay: 30
            Sitemap: ftp://example.com/nope.xml
            """);

        Assert.Equal(TimeSpan.FromSeconds(2.5), rules.CrawlDelay);
        Assert.Equal(["https://docs.example.com/sitemap.xml", "https://docs.example.com/sitemap-2.xml"], rules.Sitemaps.Select(s => s.AbsoluteUri));
        Assert.False(Allowed(rules, "/tmp/x"));
    }

    [Fact]
    public void A_hostile_crawl_delay_is_capped()
    {
        var rules = Parse("User-agent: *\nCrawl-delay: 1e300\n");

        Assert.Equal(TimeSpan.FromDays(1), rules.CrawlDelay);
    }

    [Fact]
    public void Rules_before_any_user_agent_and_junk_lines_are_ignored()
    {
        var rules = Parse("Disallow: /\n<html>not robots</html>\nUser-agent: *\nDisallow: /x\n");

        Assert.True(Allowed(rules, "/"));
        Assert.False(Allowed(rules, "/x"));
    }

    [Fact]
    public void Only_the_first_500_KiB_are_read()
    {
        var padding = new string('#', RobotsRules.MaxParsedCharacters);
        var rules = Parse("User-agent: *\nDisallow: /early\n" + padding + "\nDisallow: /late\n");

        Assert.False(Allowed(rules, "/early"));
        Assert.True(Allowed(rules, "/late"));
    }

    [Fact]
    public void Allow_all_allows_all()
    {
        Assert.True(RobotsRules.AllowAll.IsAllowed(new Uri("https://docs.example.com/any/thing")));
        Assert.Null(RobotsRules.AllowAll.CrawlDelay);
        Assert.Empty(RobotsRules.AllowAll.Sitemaps);
    }
}
