using System.ComponentModel.DataAnnotations;
using DocAIche.Documents.Chunking;
using DocAIche.Documents.Uploads;

namespace DocAIche.Documents.Ingestion;

/// <summary>Section <c>Ingestion</c>: how sources are read and turned into documents.</summary>
internal sealed class IngestionOptions
{
    public const string Section = "Ingestion";

    /// <summary>Encrypts source credentials (Git tokens) at rest. Comes from deployment secrets, at least 32 characters.</summary>
    [Required, MinLength(32)]
    public string CredentialKey { get; set; } = "";

    /// <summary>Jobs this instance runs at once.</summary>
    [Range(1, 64)]
    public int Workers { get; set; } = 2;

    /// <summary>Jobs of one tenant running at once, over all instances.</summary>
    [Range(1, 64)]
    public int MaxRunningJobsPerTenant { get; set; } = 2;

    /// <summary>Jobs of one tenant waiting to run; more are refused with 429.</summary>
    [Range(1, 10_000)]
    public int MaxQueuedJobsPerTenant { get; set; } = 20;

    /// <summary>A running job's claim lapses this long after its runner last reported; then another runner starts it again.</summary>
    [Range(typeof(TimeSpan), "00:00:05", "01:00:00")]
    public TimeSpan JobLease { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>A job interrupted this many times ends as failed.</summary>
    [Range(1, 10)]
    public int MaxAttempts { get; set; } = 3;

    /// <summary>How often runners look for queued jobs when nothing woke them.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Address ranges (CIDR) the crawler and Git fetcher may reach although they are private or loopback.</summary>
    public List<string> AllowedNetworks { get; set; } = [];

    [Required]
    public ChunkingOptions Chunking { get; set; } = new();

    [Required]
    public UploadLimits Uploads { get; set; } = new();

    [Required]
    public GitOptions Git { get; set; } = new();

    [Required]
    public CrawlerOptions Crawler { get; set; } = new();
}

internal sealed class GitOptions
{
    /// <summary>The git executable.</summary>
    [Required]
    public string Executable { get; set; } = "git";

    [Range(typeof(TimeSpan), "00:00:05", "02:00:00")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Files larger than this are item errors, not documents.</summary>
    [Range(1024, 100 * 1024 * 1024)]
    public long MaxFileBytes { get; set; } = 5 * 1024 * 1024;

    /// <summary>Matching files in a repository with no include globs of its own.</summary>
    public List<string> DefaultInclude { get; set; } = ["**/*.md", "**/*.mdx", "**/*.markdown", "**/*.rst", "**/*.txt", "**/*.html", "**/*.htm"];

    /// <summary>Always skipped unless a source's own include names them.</summary>
    public List<string> DefaultExclude { get; set; } = [".github/**", "**/node_modules/**", "**/CHANGELOG*", "**/CHANGES*", "**/LICENSE*"];
}

internal sealed class CrawlerOptions
{
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
