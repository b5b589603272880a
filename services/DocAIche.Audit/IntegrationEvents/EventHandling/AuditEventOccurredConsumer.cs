using DocAIche.Audit.Alerts;
using DocAIche.Audit.Infrastructure;
using DocAIche.Audit.Trail;
using DocAIche.Contracts.Audit;
using DocAIche.Contracts.Documents;

namespace DocAIche.Audit.IntegrationEvents.EventHandling;

/// <summary>Records what every service's API changed (or refused to change).</summary>
public sealed class AuditEventOccurredConsumer(AuditDbContext db, AuditLedger ledger, SecurityAlerts alerts, TimeProvider time, ILogger<AuditEventOccurredConsumer> logger)
    : AuditRecordConsumer<AuditEventOccurred>(db, ledger, alerts, time, logger)
{
    protected override AuditEntry Describe(AuditEventOccurred happened) =>
        new(happened.TenantId, happened.OccurredAt, happened.Actor, happened.Action, happened.TargetType, happened.TargetId, happened.Outcome,
            happened.ClientAddress, happened.TraceId, happened.Details);
}

/// <summary>Records how every ingestion job ended and who started it.</summary>
public sealed class IngestionJobFinishedConsumer(AuditDbContext db, AuditLedger ledger, SecurityAlerts alerts, TimeProvider time, ILogger<IngestionJobFinishedConsumer> logger)
    : AuditRecordConsumer<IngestionJobFinished>(db, ledger, alerts, time, logger)
{
    protected override AuditEntry Describe(IngestionJobFinished finished) =>
        new(finished.TenantId, finished.At, finished.RequestedBy, "ingestion.job.finished", "ingestion-job", finished.JobId.ToString(),
            finished.State == "succeeded" ? "success" : finished.State,
            Details: new Dictionary<string, string>
            {
                ["state"] = finished.State,
                ["documentsChanged"] = finished.DocumentsChanged.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["documentsRemoved"] = finished.DocumentsRemoved.ToString(System.Globalization.CultureInfo.InvariantCulture),
            });
}
