using DocAIche.Audit.Infrastructure;
using DocAIche.Contracts.Documents;

namespace DocAIche.Audit.IntegrationEvents.EventHandling;

/// <summary>Records libraries created, changed, shared and deleted, and their versions added or deleted.</summary>
public sealed class LibraryChangedConsumer(AuditDbContext db, ILogger<LibraryChangedConsumer> logger, TimeProvider time)
    : AuditRecordConsumer<LibraryChanged>(db, logger, time)
{
    protected override AuditEntry Describe(LibraryChanged changed) =>
        new(changed.TenantId, changed.ChangedAt, changed.Actor, $"library.{changed.Change}", "library", changed.LibraryId.ToString(), "success");
}

/// <summary>Records sources created, changed and deleted.</summary>
public sealed class SourceChangedConsumer(AuditDbContext db, ILogger<SourceChangedConsumer> logger, TimeProvider time)
    : AuditRecordConsumer<SourceChanged>(db, logger, time)
{
    protected override AuditEntry Describe(SourceChanged changed) =>
        new(changed.TenantId, changed.ChangedAt, changed.Actor, $"source.{changed.Change}", "source", changed.SourceId.ToString(), "success");
}

/// <summary>Records how every ingestion job ended and who started it.</summary>
public sealed class IngestionJobFinishedConsumer(AuditDbContext db, ILogger<IngestionJobFinishedConsumer> logger, TimeProvider time)
    : AuditRecordConsumer<IngestionJobFinished>(db, logger, time)
{
    protected override AuditEntry Describe(IngestionJobFinished finished) =>
        new(finished.TenantId, finished.At, finished.RequestedBy, "ingestion.job.finished", "ingestion-job", finished.JobId.ToString(),
            finished.State == "succeeded" ? "success" : finished.State);
}
