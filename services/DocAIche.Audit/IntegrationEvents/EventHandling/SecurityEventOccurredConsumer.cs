using DocAIche.Audit.Infrastructure;
using DocAIche.Contracts.Identity;

namespace DocAIche.Audit.IntegrationEvents.EventHandling;

/// <summary>Records sign-ins, failures, lockouts and changes to users, roles, clients and API keys.</summary>
public sealed class SecurityEventOccurredConsumer(AuditDbContext db, ILogger<SecurityEventOccurredConsumer> logger, TimeProvider time)
    : AuditRecordConsumer<SecurityEventOccurred>(db, logger, time)
{
    protected override AuditEntry Describe(SecurityEventOccurred happened) =>
        new(happened.TenantId, happened.OccurredAt, happened.Actor, happened.Action, happened.TargetType, happened.TargetId, happened.Outcome);
}
