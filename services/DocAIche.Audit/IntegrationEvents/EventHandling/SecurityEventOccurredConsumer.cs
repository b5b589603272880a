using DocAIche.Audit.Infrastructure;
using DocAIche.Audit.Model;
using DocAIche.Contracts.Identity;
using DocAIche.ServiceDefaults.Messaging;
using MassTransit;

namespace DocAIche.Audit.IntegrationEvents.EventHandling;

/// <summary>Records sign-ins, failures, lockouts and changes to users, roles, clients and API keys.</summary>
public sealed class SecurityEventOccurredConsumer(AuditDbContext db, ILogger<SecurityEventOccurredConsumer> logger, TimeProvider time)
    : InboxConsumer<SecurityEventOccurred, AuditDbContext>(db, logger, time)
{
    protected override Task HandleAsync(ConsumeContext<SecurityEventOccurred> context, CancellationToken cancellationToken)
    {
        var happened = context.Message;
        Db.AuditRecords.Add(new AuditRecord
        {
            TenantId = happened.TenantId,
            OccurredAt = happened.OccurredAt,
            RecordedAt = Time.GetUtcNow(),
            Actor = happened.Actor,
            Action = happened.Action,
            TargetType = happened.TargetType,
            TargetId = happened.TargetId,
            Outcome = happened.Outcome,
            MessageId = context.MessageId!.Value,
        });
        return Task.CompletedTask;
    }
}
