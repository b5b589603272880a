using DocAIche.Audit.Alerts;
using DocAIche.Audit.Infrastructure;
using DocAIche.Audit.Trail;
using DocAIche.Contracts.Identity;

namespace DocAIche.Audit.IntegrationEvents.EventHandling;

/// <summary>Records sign-ins, failures, lockouts and changes to users, roles, clients and API keys.</summary>
public sealed class SecurityEventOccurredConsumer(AuditDbContext db, AuditLedger ledger, SecurityAlerts alerts, TimeProvider time, ILogger<SecurityEventOccurredConsumer> logger)
    : AuditRecordConsumer<SecurityEventOccurred>(db, ledger, alerts, time, logger)
{
    protected override AuditEntry Describe(SecurityEventOccurred happened) =>
        new(happened.TenantId, happened.OccurredAt, happened.Actor, happened.Action, happened.TargetType, happened.TargetId, happened.Outcome,
            happened.ClientAddress, happened.TraceId);
}
