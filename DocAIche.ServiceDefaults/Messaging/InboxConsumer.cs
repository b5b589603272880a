using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace DocAIche.ServiceDefaults.Messaging;

/// <summary>
/// A consumer that processes each message once. The inbox row and the consumer's own changes (and
/// any events it queues in the outbox) are saved by one <c>SaveChanges</c>, so they commit together:
/// a redelivery finds the row and does nothing, and a failure leaves neither behind.
/// </summary>
/// <remarks>Handlers change the context but never call <c>SaveChanges</c> themselves.</remarks>
public abstract partial class InboxConsumer<TMessage, TContext>(TContext db, ILogger logger, TimeProvider time) : IConsumer<TMessage>
    where TMessage : class
    where TContext : DbContext
{
    protected TContext Db { get; } = db;

    protected TimeProvider Time { get; } = time;

    private string ConsumerName => GetType().FullName ?? GetType().Name;

    public async Task Consume(ConsumeContext<TMessage> context)
    {
        var messageId = context.MessageId
            ?? throw new InvalidOperationException($"A {typeof(TMessage).Name} arrived without a message id; it cannot be deduplicated.");
        var consumer = ConsumerName;

        if (await AlreadyProcessedAsync(messageId, consumer, context.CancellationToken))
        {
            LogDuplicate(logger, messageId, consumer);
            return;
        }

        Db.Set<InboxMessage>().Add(new InboxMessage { MessageId = messageId, Consumer = consumer, ProcessedAt = Time.GetUtcNow() });
        await HandleAsync(context, context.CancellationToken);

        try
        {
            await Db.SaveChangesAsync(context.CancellationToken);
        }
        catch (DbUpdateException)
        {
            if (!await ProcessedConcurrentlyAsync(messageId, consumer, context.CancellationToken))
            {
                throw;
            }
            // Two deliveries of the same message raced; the other one committed first.
            LogDuplicate(logger, messageId, consumer);
        }
    }

    /// <summary>Applies the message to the service's state, through <see cref="Db"/>, without saving.</summary>
    protected abstract Task HandleAsync(ConsumeContext<TMessage> context, CancellationToken cancellationToken);

    private Task<bool> AlreadyProcessedAsync(Guid messageId, string consumer, CancellationToken cancellationToken) =>
        Db.Set<InboxMessage>().AsNoTracking().AnyAsync(m => m.MessageId == messageId && m.Consumer == consumer, cancellationToken);

    private async Task<bool> ProcessedConcurrentlyAsync(Guid messageId, string consumer, CancellationToken cancellationToken)
    {
        Db.ChangeTracker.Clear();
        return await AlreadyProcessedAsync(messageId, consumer, cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Message {MessageId} was already processed by {Consumer}; skipped")]
    private static partial void LogDuplicate(ILogger logger, Guid messageId, string consumer);
}
