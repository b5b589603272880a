using System.ComponentModel.DataAnnotations;

namespace DocAIche.Documents.Crawling;

/// <summary>Section <c>Ingestion:Crawler</c>: how websites are crawled.</summary>
internal sealed class CrawlerOptions
{
    public const string Section = "Ingestion:Crawler";

    [Required]
    public string UserAgent { get; set; } = "DocAIche/1.0 (documentation cache; +https://github.com/docaiche)";

    /// <summary>Pages larger than this are item errors.</summary>
    [Range(1024, 100 * 1024 * 1024)]
    public long MaxPageBytes { get; set; } = 5 * 1024 * 1024;

    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

    [Range(0, 20)]
    public int MaxRedirects { get; set; } = 5;

    /// <summary>The most pages a website source may ask for.</summary>
    [Range(1, 1_000_000)]
    public int MaxPagesLimit { get; set; } = 10_000;

    /// <summary>The longest robots.txt Crawl-delay honoured.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan MaxCrawlDelay { get; set; } = TimeSpan.FromSeconds(30);
}
