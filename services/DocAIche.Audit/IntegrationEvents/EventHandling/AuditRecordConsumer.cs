using DocAIche.Audit.Alerts;
using DocAIche.Audit.Infrastructure;
using DocAIche.Audit.Trail;
using MassTransit;

namespace DocAIche.Audit.IntegrationEvents.EventHandling;

/// <summary>
/// Records one audit record per event, once, with any alert it raises. Subclasses only say what
/// the event means.
/// </summary>
public abstract class AuditRecordConsumer<TMessage>(AuditDbContext db, AuditLedger ledger, SecurityAlerts alerts, TimeProvider time, ILogger logger)
    : LedgerConsumer<TMessage>(db, time, logger)
    where TMessage : class
{
    protected abstract AuditEntry Describe(TMessage message);

    protected override async Task HandleAsync(ConsumeContext<TMessage> context, Guid messageId, CancellationToken cancellationToken)
    {
        var entry = Describe(context.Message);
        await ledger.AppendAsync(entry, messageId, cancellationToken);
        await alerts.ObserveAsync(entry, messageId, cancellationToken);
    }
}
