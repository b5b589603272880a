using DocAIche.Audit.Infrastructure;
using DocAIche.Audit.Model;
using DocAIche.ServiceDefaults.Messaging;
using MassTransit;

namespace DocAIche.Audit.IntegrationEvents.EventHandling;

/// <summary>What an event says for the audit trail.</summary>
public sealed record AuditEntry(string TenantId, DateTimeOffset OccurredAt, string Actor, string Action, string TargetType, string TargetId, string Outcome);

/// <summary>Records one audit record per event, once (inbox); subclasses only say what the event means.</summary>
public abstract class AuditRecordConsumer<TMessage>(AuditDbContext db, ILogger logger, TimeProvider time)
    : InboxConsumer<TMessage, AuditDbContext>(db, logger, time)
    where TMessage : class
{
    protected abstract AuditEntry Describe(TMessage message);

    protected override Task HandleAsync(ConsumeContext<TMessage> context, CancellationToken cancellationToken)
    {
        var entry = Describe(context.Message);
        Db.AuditRecords.Add(new AuditRecord
        {
            TenantId = entry.TenantId,
            OccurredAt = entry.OccurredAt,
            RecordedAt = Time.GetUtcNow(),
            Actor = entry.Actor,
            Action = entry.Action,
            TargetType = entry.TargetType,
            TargetId = entry.TargetId,
            Outcome = entry.Outcome,
            MessageId = context.MessageId!.Value,
        });
        return Task.CompletedTask;
    }
}
