using DocAIche.Audit.Alerts;
using DocAIche.Audit.Infrastructure;
using DocAIche.Audit.Trail;
using DocAIche.Contracts.Documents;

namespace DocAIche.Audit.IntegrationEvents.EventHandling;

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
