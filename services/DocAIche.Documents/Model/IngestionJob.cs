using DocAIche.ServiceDefaults.Data;
using DocAIche.Contracts.Documents;

namespace DocAIche.Documents.Model;

public enum IngestionJobState
{
    Queued,
    Running,
    Succeeded,
    Failed,
    Cancelled,
}

public enum IngestionTrigger
{
    Manual,
    Schedule,
    Upload,
    Retry,
}

/// <summary>
/// One read of a source. Everything it reads is staged first and applied in one transaction at the
/// end, so a job is either wholly applied or not at all.
/// </summary>
public sealed class IngestionJob : ITenantOwned
{
    public Guid Id { get; set; }

    public required string TenantId { get; set; }

    public Guid SourceId { get; set; }

    public Source Source { get; set; } = null!;

    public IngestionTrigger Trigger { get; set; }

    public IngestionJobState State { get; set; }

    public required string RequestedBy { get; set; }

    /// <summary>For a retry: the only keys to read again. A retry never removes documents.</summary>
    public List<string>? OnlyKeys { get; set; }

    public Guid? RetryOfJobId { get; set; }

    /// <summary>Whether the job sees the whole source, so documents it does not see have vanished.</summary>
    public bool IsSnapshot { get; set; }

    public int Discovered { get; set; }

    public int Fetched { get; set; }

    public int Processed { get; set; }

    public int Skipped { get; set; }

    public int Failed { get; set; }

    public int Chunks { get; set; }

    public int DocumentsChanged { get; set; }

    public int DocumentsRemoved { get; set; }

    /// <summary>The Git commit read, when the source is a repository.</summary>
    public string? Commit { get; set; }

    public string? Error { get; set; }

    /// <summary>What a successful job wants a user to know (for example that the commit was already ingested).</summary>
    public string? Note { get; set; }

    public bool CancelRequested { get; set; }

    /// <summary>How many times a runner started it; a restart makes it start again from the beginning.</summary>
    public int Attempts { get; set; }

    public string? LeaseOwner { get; set; }

    public DateTimeOffset? LeaseExpiresAt { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? StartedAt { get; set; }

    public DateTimeOffset? FinishedAt { get; set; }

    public bool IsFinished => State is IngestionJobState.Succeeded or IngestionJobState.Failed or IngestionJobState.Cancelled;

    public IngestionCounters Counters => new(Discovered, Fetched, Processed, Skipped, Failed, Chunks);
}
