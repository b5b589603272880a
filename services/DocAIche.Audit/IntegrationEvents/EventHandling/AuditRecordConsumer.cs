using DocAIche.Audit.Alerts;
using DocAIche.Audit.Infrastructure;
using DocAIche.Audit.Trail;
using DocAIche.ServiceDefaults.Data;
using DocAIche.ServiceDefaults.Messaging;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace DocAIche.Audit.IntegrationEvents.EventHandling;

/// <summary>How audit events are batched.</summary>
public static class AuditBatches
{
    /// <summary>Events per transaction, how long a partial batch waits for more, and batches at once per instance.</summary>
    public static void Configure(BatchOptions options) => options
        .SetMessageLimit(200)
        .SetTimeLimit(TimeSpan.FromMilliseconds(20))
        .SetConcurrencyLimit(2);
}

/// <summary>
/// Records events in batches: one transaction per batch locks each tenant's chain once, appends a
/// record per event not seen before (inbox), raises what alerts they cause, and commits it all
/// together. Subclasses only say what an event means.
/// </summary>
public abstract partial class AuditRecordConsumer<TMessage>(AuditDbContext db, AuditLedger ledger, SecurityAlerts alerts, TimeProvider time, ILogger logger)
    : IConsumer<Batch<TMessage>>
    where TMessage : class
{
    protected abstract AuditEntry Describe(TMessage message);

    public async Task Consume(ConsumeContext<Batch<TMessage>> context)
    {
        var consumer = GetType().FullName ?? GetType().Name;
        var events = context.Message
            .Select(message => (Id: message.MessageId ?? throw new InvalidOperationException($"A {typeof(TMessage).Name} arrived without a message id; it cannot be recorded once."),
                Entry: Describe(message.Message)))
            .DistinctBy(e => e.Id)
            // Chains are locked in one order by every batch, so two batches never wait for each other in a circle.
            .OrderBy(e => e.Entry.TenantId, StringComparer.Ordinal)
            .ThenBy(e => e.Entry.OccurredAt)
            .ToList();
        var ids = events.Select(e => e.Id).ToList();

        var recorded = await db.InTransactionAsync(async cancellationToken =>
        {
            db.ChangeTracker.Clear();
            var seen = (await db.Set<InboxMessage>().AsNoTracking()
                .Where(m => ids.Contains(m.MessageId) && m.Consumer == consumer)
                .Select(m => m.MessageId)
                .ToListAsync(cancellationToken)).ToHashSet();
            var count = 0;
            foreach (var (id, entry) in events.Where(e => !seen.Contains(e.Id)))
            {
                db.Set<InboxMessage>().Add(new InboxMessage { MessageId = id, Consumer = consumer, ProcessedAt = time.GetUtcNow() });
                await ledger.AppendAsync(entry, id, cancellationToken);
                await alerts.ObserveAsync(entry, id, cancellationToken);
                count++;
            }
            await db.SaveChangesAsync(cancellationToken);
            return count;
        }, context.CancellationToken);

        if (recorded < events.Count)
        {
            LogDuplicates(logger, events.Count - recorded);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Count} events were already in the audit trail; skipped")]
    private static partial void LogDuplicates(ILogger logger, int count);
}
