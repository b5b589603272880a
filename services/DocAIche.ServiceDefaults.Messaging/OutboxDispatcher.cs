using System.Text.Json;
using DocAIche.ServiceDefaults.Data;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DocAIche.ServiceDefaults.Messaging;

/// <summary>
/// Publishes the events a service's transactions left in its outbox, in order, and marks each one
/// sent only after the broker confirmed it. A crash between the confirmation and the mark publishes
/// that one event again; consumers' inboxes make the repeat harmless (at-least-once delivery,
/// exactly-once processing). With several instances of a service one dispatches at a time (see
/// <see cref="DispatchTurn"/>), so the order holds across instances too.
/// </summary>
public sealed partial class OutboxDispatcher<TContext>(
    IServiceScopeFactory scopes,
    OutboxSignal signal,
    IOptions<OutboxOptions> options,
    TimeProvider time,
    ILogger<OutboxDispatcher<TContext>> logger) : BackgroundService
    where TContext : DbContext
{
    /// <summary>
    /// The turn each batch is dispatched under ("DocAOutb"; advisory locks are per database, so it is
    /// one turn per service). Without it every instance reads the same pending rows: each event goes
    /// out once per instance, and the two streams interleave out of order. A session lock on a
    /// connection of its own (<see cref="ExclusiveTurn"/>) rather than a transaction around the
    /// batch, because events are marked sent one by one, each in its own commit: a crash mid-batch
    /// re-publishes only the event in flight, where one transaction would re-publish the whole batch.
    /// An instance that finds the turn taken skips the batch; it looks again at its next poll.
    /// </summary>
    private const long DispatchTurn = 0x446f63414f757462;

    private readonly OutboxOptions _options = options.Value;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            var result = OutboxDispatchResult.Empty;
            try
            {
                result = await DispatchPendingAsync(stoppingToken);
                failures = result.Failed ? failures + 1 : 0;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception)
            {
                failures++;
                LogDispatchFailed(logger, exception);
            }

            if (result.Published == _options.BatchSize && !result.Failed)
            {
                continue; // more may be waiting
            }

            // Back off while the broker or database is away; wake at once on a new commit otherwise.
            var wait = failures == 0
                ? _options.PollInterval
                : TimeSpan.FromMilliseconds(Math.Min(10_000, 250 * Math.Pow(2, Math.Min(failures, 6))));
            try
            {
                await signal.WaitAsync(wait, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Publishes one batch of pending events. Stops at the first event the broker does not confirm.</summary>
    public async Task<OutboxDispatchResult> DispatchPendingAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TContext>();
        var bus = scope.ServiceProvider.GetRequiredService<IBus>();
        // Instances share the database and take turns; the in-memory provider of unit tests has no locks, and one dispatcher.
        var shared = db.Database.IsNpgsql();
        await using var turn = shared ? await ExclusiveTurn.TryTakeAsync(db, DispatchTurn, cancellationToken) : null;
        if (shared && turn is null)
        {
            return OutboxDispatchResult.Empty; // another instance is dispatching
        }

        var pending = await db.Set<OutboxMessage>()
            .Where(m => m.SentAt == null)
            .OrderBy(m => m.Sequence)
            .Take(_options.BatchSize)
            .ToListAsync(cancellationToken);

        var published = 0;
        foreach (var message in pending)
        {
            object integrationEvent;
            Type eventType;
            try
            {
                eventType = Type.GetType(message.MessageType, throwOnError: true)!;
                integrationEvent = JsonSerializer.Deserialize(message.Body, eventType, IntegrationEventModel.JsonOptions)
                    ?? throw new JsonException("The event body is null.");
            }
            catch (Exception exception) when (exception is TypeLoadException or JsonException or FileNotFoundException or NotSupportedException)
            {
                // A message this build cannot read must not block the ones behind it; it stays
                // pending with its error for an operator, and is retried by a later build.
                message.Attempts++;
                message.LastError = Truncate($"Unreadable: {exception.Message}");
                await db.SaveChangesAsync(cancellationToken);
                LogUnreadable(logger, message.MessageId, message.MessageType);
                continue;
            }

            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(_options.PublishTimeout);
                await bus.Publish(integrationEvent, eventType, context => context.MessageId = message.MessageId, timeout.Token);
            }
            catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
            {
                message.Attempts++;
                message.LastError = Truncate(exception.Message);
                await db.SaveChangesAsync(CancellationToken.None);
                LogPublishFailed(logger, exception, message.MessageId);
                return new OutboxDispatchResult(published, Failed: true);
            }

            message.SentAt = time.GetUtcNow();
            message.Attempts++;
            message.LastError = null;
            // Marked one by one: a crash re-publishes at most the event in flight.
            await db.SaveChangesAsync(CancellationToken.None);
            published++;
        }

        return new OutboxDispatchResult(published, Failed: false);
    }

    private static string Truncate(string text) => text.Length <= 2000 ? text : text[..2000];

    [LoggerMessage(Level = LogLevel.Error, Message = "The outbox dispatcher failed; it will try again")]
    private static partial void LogDispatchFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Publishing outbox message {MessageId} failed; it stays pending")]
    private static partial void LogPublishFailed(ILogger logger, Exception exception, Guid messageId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Outbox message {MessageId} of type {MessageType} cannot be read by this build")]
    private static partial void LogUnreadable(ILogger logger, Guid messageId, string messageType);
}

/// <summary>What one dispatch round did.</summary>
public readonly record struct OutboxDispatchResult(int Published, bool Failed)
{
    public static OutboxDispatchResult Empty => new(0, false);
}
