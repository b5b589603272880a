using DocAIche.Audit.Alerts;
using DocAIche.Audit.Infrastructure;
using DocAIche.Audit.Trail;
using DocAIche.Contracts.Audit;

namespace DocAIche.Audit.IntegrationEvents.EventHandling;

/// <summary>Records what every service's API changed (or refused to change).</summary>
public sealed class AuditEventOccurredConsumer(AuditDbContext db, AuditLedger ledger, SecurityAlerts alerts, TimeProvider time, ILogger<AuditEventOccurredConsumer> logger)
    : AuditRecordConsumer<AuditEventOccurred>(db, ledger, alerts, time, logger)
{
    protected override AuditEntry Describe(AuditEventOccurred happened) =>
        new(happened.TenantId, happened.OccurredAt, happened.Actor, happened.Action, happened.TargetType, happened.TargetId, happened.Outcome,
            happened.ClientAddress, happened.TraceId, happened.Details);
}
