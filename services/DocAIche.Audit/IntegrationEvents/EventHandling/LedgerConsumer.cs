using DocAIche.Audit.Infrastructure;
using DocAIche.ServiceDefaults.Data;
using DocAIche.ServiceDefaults.Messaging;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace DocAIche.Audit.IntegrationEvents.EventHandling;

/// <summary>
/// A consumer that handles each message once, in one explicit transaction: the inbox row, the
/// handler's changes, any records it appends to the audit chain (whose end stays locked until
/// commit) and the events it queues commit together, or none of them do.
/// </summary>
public abstract partial class LedgerConsumer<TMessage>(AuditDbContext db, TimeProvider time, ILogger logger) : IConsumer<TMessage>
    where TMessage : class
{
    protected AuditDbContext Db { get; } = db;

    protected TimeProvider Time { get; } = time;

    /// <summary>Applies the message through <see cref="Db"/>, without saving.</summary>
    protected abstract Task HandleAsync(ConsumeContext<TMessage> context, Guid messageId, CancellationToken cancellationToken);

    public async Task Consume(ConsumeContext<TMessage> context)
    {
        var messageId = context.MessageId
            ?? throw new InvalidOperationException($"A {typeof(TMessage).Name} arrived without a message id; it cannot be handled once.");
        var consumer = GetType().FullName ?? GetType().Name;

        var handled = await Db.InTransactionAsync(async cancellationToken =>
        {
            Db.ChangeTracker.Clear();
            if (await Db.Set<InboxMessage>().AnyAsync(m => m.MessageId == messageId && m.Consumer == consumer, cancellationToken))
            {
                return false;
            }
            Db.Set<InboxMessage>().Add(new InboxMessage { MessageId = messageId, Consumer = consumer, ProcessedAt = Time.GetUtcNow() });
            await HandleAsync(context, messageId, cancellationToken);
            await Db.SaveChangesAsync(cancellationToken);
            return true;
        }, context.CancellationToken);

        if (!handled)
        {
            LogDuplicate(logger, messageId, consumer);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Message {MessageId} was already handled by {Consumer}; skipped")]
    private static partial void LogDuplicate(ILogger logger, Guid messageId, string consumer);
}
