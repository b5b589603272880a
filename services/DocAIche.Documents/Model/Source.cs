using DocAIche.ServiceDefaults.Data;
namespace DocAIche.Documents.Model;

public enum SourceKind
{
    Git,
    Website,
    Upload,
}

/// <summary>Where a library version's documents come from, and how often to read it again.</summary>
public sealed class Source : ITenantOwned
{
    public Guid Id { get; set; }

    public required string TenantId { get; set; }

    public Guid LibraryVersionId { get; set; }

    public LibraryVersion LibraryVersion { get; set; } = null!;

    public SourceKind Kind { get; set; }

    public GitSettings? Git { get; set; }

    public WebsiteSettings? Website { get; set; }

    /// <summary>The Git access token, encrypted; never returned and never logged.</summary>
    public string? ProtectedToken { get; set; }

    /// <summary>A cron expression (UTC) for scheduled refreshes; none means on demand only.</summary>
    public string? Schedule { get; set; }

    public DateTimeOffset? NextRunAt { get; set; }

    /// <summary>The Git commit of the last successful ingestion; the same commit is not ingested twice.</summary>
    public string? LastCommit { get; set; }

    public DateTimeOffset? LastIngestedAt { get; set; }

    public required string CreatedBy { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    public string? Location => Kind switch
    {
        SourceKind.Git => Git?.Url,
        SourceKind.Website => Website?.StartUrls.FirstOrDefault(),
        _ => null,
    };
}

/// <summary>A Git repository read at a branch, tag or commit.</summary>
public sealed class GitSettings
{
    public required string Url { get; set; }

    /// <summary>Branch, tag or full commit id; empty means the remote's default branch (HEAD).</summary>
    public string? Ref { get; set; }

    public List<string> Include { get; set; } = [];

    public List<string> Exclude { get; set; } = [];
}

/// <summary>A documentation website crawled from its start URLs.</summary>
public sealed class WebsiteSettings
{
    public List<string> StartUrls { get; set; } = [];

    /// <summary>A sitemap to read; by default the ones robots.txt names, else /sitemap.xml.</summary>
    public string? SitemapUrl { get; set; }

    public List<string> Include { get; set; } = [];

    public List<string> Exclude { get; set; } = [];

    /// <summary>Skip translated copies, changelogs, blogs and similar (on unless turned off).</summary>
    public bool UseDefaultExcludes { get; set; } = true;

    public int MaxPages { get; set; } = 500;

    public int MaxDepth { get; set; } = 5;

    /// <summary>Requests in flight to the site at once.</summary>
    public int Concurrency { get; set; } = 2;

    /// <summary>Pause between requests to the site; robots.txt's Crawl-delay wins when longer.</summary>
    public int DelayMilliseconds { get; set; } = 250;
}
