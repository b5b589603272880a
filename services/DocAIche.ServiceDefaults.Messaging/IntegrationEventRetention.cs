using System.ComponentModel.DataAnnotations;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DocAIche.ServiceDefaults.Messaging;

/// <summary>How long outbox and inbox rows are kept; section <c>Messaging:Retention</c>.</summary>
public sealed class IntegrationEventRetentionOptions
{
    public const string Section = "Messaging:Retention";

    /// <summary>Published outbox rows are kept this long, for investigation, then deleted. Pending ones are never deleted.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "365.00:00:00")]
    public TimeSpan SentOutboxMessages { get; set; } = TimeSpan.FromDays(7);

    /// <summary>
    /// Inbox rows are kept this long. It must exceed the longest time a message can wait before it is
    /// redelivered (an operator moving it back from an _error queue), or the redelivery would be processed again.
    /// </summary>
    [Range(typeof(TimeSpan), "1.00:00:00", "3650.00:00:00")]
    public TimeSpan InboxMessages { get; set; } = TimeSpan.FromDays(30);

    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan Interval { get; set; } = TimeSpan.FromHours(1);

    [Range(1, 100_000)]
    public int BatchSize { get; set; } = 1000;
}

/// <summary>Deletes outbox and inbox rows past their retention, a batch at a time, so the tables stay small.</summary>
public sealed partial class IntegrationEventRetention<TContext>(
    IServiceScopeFactory scopes,
    IOptions<IntegrationEventRetentionOptions> options,
    TimeProvider time,
    ILogger<IntegrationEventRetention<TContext>> logger) : BackgroundService
    where TContext : DbContext
{
    private readonly IntegrationEventRetentionOptions _options = options.Value;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(_options.Interval, time);
        do
        {
            try
            {
                await PurgeAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception)
            {
                LogPurgeFailed(logger, exception);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    /// <summary>
    /// Deletes everything past retention; returns how many outbox and inbox rows went. Each batch is
    /// deleted in the database, not loaded and removed: instances of a service purge the same tables
    /// on the same interval, and deleting rows another instance has just deleted would fail the whole
    /// batch on a concurrency check. A row deleted twice over is simply not counted the second time.
    /// </summary>
    public async Task<(int Outbox, int Inbox)> PurgeAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        int outbox = 0, inbox = 0, deleted;
        do
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<TContext>();
            var sent = await SentOutboxPastRetention(db, now).ExecuteDeleteAsync(cancellationToken);
            var processed = await InboxPastRetention(db, now).ExecuteDeleteAsync(cancellationToken);
            outbox += sent;
            inbox += processed;
            deleted = sent + processed;
        }
        while (deleted > 0 && !cancellationToken.IsCancellationRequested);

        if (outbox + inbox > 0)
        {
            LogPurged(logger, outbox, inbox);
        }
        return (outbox, inbox);
    }

    /// <summary>The next batch of published outbox rows past retention at <paramref name="now"/>, oldest first; pending ones never.</summary>
    public IQueryable<OutboxMessage> SentOutboxPastRetention(TContext db, DateTimeOffset now)
    {
        var sentBefore = now - _options.SentOutboxMessages;
        return db.Set<OutboxMessage>()
            .Where(m => m.SentAt != null && m.SentAt < sentBefore)
            .OrderBy(m => m.Sequence)
            .Take(_options.BatchSize);
    }

    /// <summary>The next batch of inbox rows past retention at <paramref name="now"/>, oldest first.</summary>
    public IQueryable<InboxMessage> InboxPastRetention(TContext db, DateTimeOffset now)
    {
        var processedBefore = now - _options.InboxMessages;
        return db.Set<InboxMessage>()
            .Where(m => m.ProcessedAt < processedBefore)
            .OrderBy(m => m.ProcessedAt)
            .Take(_options.BatchSize);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Deleted {Outbox} sent outbox and {Inbox} inbox rows past retention")]
    private static partial void LogPurged(ILogger logger, int outbox, int inbox);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Purging old outbox and inbox rows failed; it will try again")]
    private static partial void LogPurgeFailed(ILogger logger, Exception exception);
}
