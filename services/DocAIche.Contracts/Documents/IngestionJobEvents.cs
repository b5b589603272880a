namespace DocAIche.Contracts.Documents;

/// <summary>How far an ingestion job has got.</summary>
/// <param name="Discovered">Items found at the source.</param>
/// <param name="Fetched">Items read from the source.</param>
/// <param name="Processed">Items normalised and chunked that changed.</param>
/// <param name="Skipped">Items unchanged since the last ingestion, or out of scope.</param>
/// <param name="Failed">Items that could not be read or processed.</param>
/// <param name="Chunks">Chunks produced for changed items.</param>
public sealed record IngestionCounters(int Discovered, int Fetched, int Processed, int Skipped, int Failed, int Chunks);

/// <summary>An ingestion job moved on (sent at most every couple of seconds while it runs).</summary>
/// <param name="JobId">The job.</param>
/// <param name="TenantId">The owning tenant.</param>
/// <param name="SourceId">The source it reads.</param>
/// <param name="LibraryId">The library.</param>
/// <param name="Version">The library version.</param>
/// <param name="State">queued or running.</param>
/// <param name="Counters">Counters so far.</param>
/// <param name="At">When.</param>
public sealed record IngestionJobProgressed(
    Guid JobId,
    string TenantId,
    Guid SourceId,
    Guid LibraryId,
    string Version,
    string State,
    IngestionCounters Counters,
    DateTimeOffset At);

/// <summary>
/// An ingestion job ended: succeeded (its changes are applied, all at once), failed or cancelled
/// (nothing of it is applied).
/// </summary>
/// <param name="JobId">The job.</param>
/// <param name="TenantId">The owning tenant.</param>
/// <param name="SourceId">The source it read.</param>
/// <param name="LibraryId">The library.</param>
/// <param name="Version">The library version.</param>
/// <param name="State">succeeded, failed or cancelled.</param>
/// <param name="Counters">Final counters.</param>
/// <param name="DocumentsChanged">Documents created or replaced.</param>
/// <param name="DocumentsRemoved">Documents that vanished from the source and were removed.</param>
/// <param name="Error">Why it failed, when it did.</param>
/// <param name="RequestedBy">Who started it (subject id, or "schedule").</param>
/// <param name="At">When it ended.</param>
public sealed record IngestionJobFinished(
    Guid JobId,
    string TenantId,
    Guid SourceId,
    Guid LibraryId,
    string Version,
    string State,
    IngestionCounters Counters,
    int DocumentsChanged,
    int DocumentsRemoved,
    string? Error,
    string RequestedBy,
    DateTimeOffset At);
