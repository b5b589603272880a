using System.ComponentModel.DataAnnotations;

namespace DocAIche.Documents.Ingestion;

/// <summary>
/// Section <c>Ingestion</c>: how jobs are queued and run, and the key that protects source
/// credentials. Each area binds its own key under it: <c>AllowedNetworks</c> (NetworkOptions),
/// <c>Git</c> (GitOptions), <c>Crawler</c> (CrawlerOptions), <c>Uploads</c> (UploadLimits) and
/// <c>Chunking</c> (ChunkingOptions).
/// </summary>
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
}
