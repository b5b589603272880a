using DocAIche.Audit.Infrastructure;
using DocAIche.Audit.Model;
using DocAIche.Contracts.Documents;
using DocAIche.ServiceDefaults.Messaging;
using MassTransit;

namespace DocAIche.Audit.IntegrationEvents.EventHandling;

/// <summary>Records libraries created, changed, shared and deleted, and their versions added or deleted.</summary>
public sealed class LibraryChangedConsumer(AuditDbContext db, ILogger<LibraryChangedConsumer> logger, TimeProvider time)
    : InboxConsumer<LibraryChanged, AuditDbContext>(db, logger, time)
{
    protected override Task HandleAsync(ConsumeContext<LibraryChanged> context, CancellationToken cancellationToken)
    {
        var changed = context.Message;
        Db.AuditRecords.Add(new AuditRecord
        {
            TenantId = changed.TenantId,
            OccurredAt = changed.ChangedAt,
            RecordedAt = Time.GetUtcNow(),
            Actor = changed.Actor,
            Action = $"library.{changed.Change}",
            TargetType = "library",
            TargetId = changed.LibraryId.ToString(),
            Outcome = "success",
            MessageId = context.MessageId!.Value,
        });
        return Task.CompletedTask;
    }
}

/// <summary>Records sources created, changed and deleted.</summary>
public sealed class SourceChangedConsumer(AuditDbContext db, ILogger<SourceChangedConsumer> logger, TimeProvider time)
    : InboxConsumer<SourceChanged, AuditDbContext>(db, logger, time)
{
    protected override Task HandleAsync(ConsumeContext<SourceChanged> context, CancellationToken cancellationToken)
    {
        var changed = context.Message;
        Db.AuditRecords.Add(new AuditRecord
        {
            TenantId = changed.TenantId,
            OccurredAt = changed.ChangedAt,
            RecordedAt = Time.GetUtcNow(),
            Actor = changed.Actor,
            Action = $"source.{changed.Change}",
            TargetType = "source",
            TargetId = changed.SourceId.ToString(),
            Outcome = "success",
            MessageId = context.MessageId!.Value,
        });
        return Task.CompletedTask;
    }
}

/// <summary>Records how every ingestion job ended and who started it.</summary>
public sealed class IngestionJobFinishedConsumer(AuditDbContext db, ILogger<IngestionJobFinishedConsumer> logger, TimeProvider time)
    : InboxConsumer<IngestionJobFinished, AuditDbContext>(db, logger, time)
{
    protected override Task HandleAsync(ConsumeContext<IngestionJobFinished> context, CancellationToken cancellationToken)
    {
        var finished = context.Message;
        Db.AuditRecords.Add(new AuditRecord
        {
            TenantId = finished.TenantId,
            OccurredAt = finished.At,
            RecordedAt = Time.GetUtcNow(),
            Actor = finished.RequestedBy,
            Action = "ingestion.job.finished",
            TargetType = "ingestion-job",
            TargetId = finished.JobId.ToString(),
            Outcome = finished.State == "succeeded" ? "success" : finished.State,
            MessageId = context.MessageId!.Value,
        });
        return Task.CompletedTask;
    }
}
