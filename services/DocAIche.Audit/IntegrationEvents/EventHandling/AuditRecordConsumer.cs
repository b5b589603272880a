using DocAIche.Audit.Alerts;
using DocAIche.Audit.Infrastructure;
using DocAIche.Audit.Trail;
using DocAIche.ServiceDefaults.Messaging;
using MassTransit;

namespace DocAIche.Audit.IntegrationEvents.EventHandling;

/// <summary>
/// Records events in batches through the shared inbox: one transaction per batch locks each tenant's
/// chain once, appends a record per event not seen before, raises what alerts they cause, and commits
/// it all together. Subclasses only say what an event means.
/// </summary>
public abstract class AuditRecordConsumer<TMessage>(AuditDbContext db, AuditLedger ledger, SecurityAlerts alerts, TimeProvider time, ILogger logger)
    : InboxBatchConsumer<TMessage, AuditDbContext>(db, logger, time)
    where TMessage : class
{
    protected abstract AuditEntry Describe(TMessage message);

    // Chains are locked in one order by every batch, so two batches never wait for each other in a circle.
    protected override IEnumerable<ConsumeContext<TMessage>> Order(IEnumerable<ConsumeContext<TMessage>> messages) =>
        messages.Select(m => (Message: m, Entry: Describe(m.Message)))
            .OrderBy(e => e.Entry.TenantId, StringComparer.Ordinal)
            .ThenBy(e => e.Entry.OccurredAt)
            .Select(e => e.Message);

    protected override async Task HandleAsync(ConsumeContext<TMessage> message, CancellationToken cancellationToken)
    {
        var id = message.MessageId!.Value;
        var entry = Describe(message.Message);
        await ledger.AppendAsync(entry, id, cancellationToken);
        await alerts.ObserveAsync(entry, id, cancellationToken);
    }
}
