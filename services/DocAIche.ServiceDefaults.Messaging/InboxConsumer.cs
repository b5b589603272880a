using System.Collections.Concurrent;
using System.Reflection;
using DocAIche.ServiceDefaults.Data;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace DocAIche.ServiceDefaults.Messaging;

/// <summary>
/// A consumer that processes each message once. The inbox row, the consumer's own changes (raw SQL
/// included) and any events it queues in the outbox commit in one transaction: a redelivery finds
/// the row and does nothing, and a failure leaves neither behind.
/// </summary>
/// <remarks>Handlers change the context but never call <c>SaveChanges</c> or open transactions themselves.</remarks>
public abstract class InboxConsumer<TMessage, TContext>(TContext db, ILogger logger, TimeProvider time) : IConsumer<TMessage>
    where TMessage : class
    where TContext : DbContext
{
    protected TContext Db { get; } = db;

    protected TimeProvider Time { get; } = time;

    public Task Consume(ConsumeContext<TMessage> context) =>
        Inbox.ProcessOnceAsync(Db, Inbox.ConsumerName(GetType()), [(Inbox.MessageIdOf(context), context)],
            (message, token) => HandleAsync(Inbox.ActingForTenantOf(Db, message), token), Time, logger, context.CancellationToken);

    /// <summary>Applies the message to the service's state, through <see cref="Db"/>, without saving.</summary>
    protected abstract Task HandleAsync(ConsumeContext<TMessage> context, CancellationToken cancellationToken);
}

/// <summary>
/// <see cref="InboxConsumer{TMessage,TContext}"/> for batches: one transaction per batch, each message
/// in it handled once, in the order <see cref="Order"/> gives.
/// </summary>
public abstract class InboxBatchConsumer<TMessage, TContext>(TContext db, ILogger logger, TimeProvider time) : IConsumer<Batch<TMessage>>
    where TMessage : class
    where TContext : DbContext
{
    protected TContext Db { get; } = db;

    protected TimeProvider Time { get; } = time;

    public Task Consume(ConsumeContext<Batch<TMessage>> context)
    {
        var messages = Order(context.Message.DistinctBy(Inbox.MessageIdOf)).Select(m => (Inbox.MessageIdOf(m), m)).ToList();
        return Inbox.ProcessOnceAsync(Db, Inbox.ConsumerName(GetType()), messages,
            (message, token) => HandleAsync(Inbox.ActingForTenantOf(Db, message), token), Time, logger, context.CancellationToken);
    }

    /// <summary>The order the batch's messages are handled in; as delivered unless a subclass says otherwise.</summary>
    protected virtual IEnumerable<ConsumeContext<TMessage>> Order(IEnumerable<ConsumeContext<TMessage>> messages) => messages;

    /// <summary>Applies one message of the batch through <see cref="Db"/>, without saving.</summary>
    protected abstract Task HandleAsync(ConsumeContext<TMessage> message, CancellationToken cancellationToken);
}

/// <summary>The inbox's one algorithm, for single messages and batches alike.</summary>
internal static partial class Inbox
{
    private static readonly ConcurrentDictionary<Type, PropertyInfo?> TenantProperties = new();

    /// <summary>
    /// A message that names its tenant (every integration event does) is handled for that tenant: the
    /// context's tenant filters then show the handler that tenant's rows and no other's.
    /// </summary>
    public static ConsumeContext<TMessage> ActingForTenantOf<TMessage>(DbContext db, ConsumeContext<TMessage> context) where TMessage : class
    {
        if (db is TenantScopedDbContext scoped &&
            TenantProperties.GetOrAdd(typeof(TMessage), type => type.GetProperty("TenantId", typeof(string))) is { } property &&
            property.GetValue(context.Message) is string { Length: > 0 } tenant)
        {
            scoped.Tenant.ActFor(tenant);
        }
        return context;
    }

    public static string ConsumerName(Type consumer) => consumer.FullName ?? consumer.Name;

    public static Guid MessageIdOf<TMessage>(ConsumeContext<TMessage> context) where TMessage : class =>
        context.MessageId ?? throw new InvalidOperationException($"A {typeof(TMessage).Name} arrived without a message id; it cannot be processed once.");

    public static async Task ProcessOnceAsync<TContext, TItem>(
        TContext db, string consumer, IReadOnlyList<(Guid Id, TItem Item)> items, Func<TItem, CancellationToken, Task> handle,
        TimeProvider time, ILogger logger, CancellationToken cancellationToken)
        where TContext : DbContext
    {
        var ids = items.Select(i => i.Id).ToList();
        int processed;
        try
        {
            processed = await db.InTransactionAsync(async token =>
            {
                db.ChangeTracker.Clear();
                var seen = (await ProcessedAsync(db, consumer, ids, token)).ToHashSet();
                var count = 0;
                foreach (var (id, item) in items.Where(i => !seen.Contains(i.Id)))
                {
                    db.Set<InboxMessage>().Add(new InboxMessage { MessageId = id, Consumer = consumer, ProcessedAt = time.GetUtcNow() });
                    await handle(item, token);
                    count++;
                }
                await db.SaveChangesAsync(token);
                return count;
            }, cancellationToken);
        }
        catch (DbUpdateException)
        {
            // Two deliveries of the same message raced and the other one committed first: nothing is left to do.
            db.ChangeTracker.Clear();
            if ((await ProcessedAsync(db, consumer, ids, cancellationToken)).Count < ids.Count)
            {
                throw;
            }
            processed = 0;
        }

        if (processed < items.Count)
        {
            LogDuplicates(logger, items.Count - processed, consumer);
        }
    }

    private static Task<List<Guid>> ProcessedAsync(DbContext db, string consumer, List<Guid> ids, CancellationToken cancellationToken) =>
        db.Set<InboxMessage>().AsNoTracking()
            .Where(m => ids.Contains(m.MessageId) && m.Consumer == consumer)
            .Select(m => m.MessageId)
            .ToListAsync(cancellationToken);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Count} message(s) were already processed by {Consumer}; skipped")]
    private static partial void LogDuplicates(ILogger logger, int count, string consumer);
}
