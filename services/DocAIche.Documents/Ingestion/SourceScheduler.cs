using DocAIche.ServiceDefaults.Data;
using Cronos;
using DocAIche.Documents.Infrastructure;
using DocAIche.Documents.Model;
using Microsoft.EntityFrameworkCore;

namespace DocAIche.Documents.Ingestion;

/// <summary>Queues a refresh for every source whose schedule is due and that has no job waiting or running.</summary>
internal sealed partial class SourceScheduler(IServiceScopeFactory scopes, TimeProvider time, ILogger<SourceScheduler> logger) : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The turn a tick runs under ("DocASche"). Every instance schedules on the same interval; without
    /// a turn two of them read the same due sources before either saves, and each queues the refresh.
    /// A session lock (<see cref="ExclusiveTurn"/>) spans the read and the per-source saves, so the
    /// next holder reads the sources' new next runs; an instance that finds it taken skips the tick.
    /// </summary>
    private const long ScheduleTurn = 0x446f634153636865;

    /// <summary>The next run of a cron expression (UTC) after <paramref name="after"/>; null for no schedule.</summary>
    public static DateTimeOffset? NextRun(string? schedule, DateTimeOffset after) =>
        schedule is null ? null : CronExpression.Parse(schedule).GetNextOccurrence(after, TimeZoneInfo.Utc);

    /// <summary>Null when valid, else why not.</summary>
    public static string? Problem(string schedule)
    {
        try
        {
            CronExpression.Parse(schedule);
            return null;
        }
        catch (Exception e) when (e is CronFormatException or ArgumentException)
        {
            return $"The schedule is not a valid cron expression (minute hour day month weekday, UTC): {e.Message}";
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        do
        {
            try
            {
                await QueueDueAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogSchedulerError(logger, e);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    private async Task QueueDueAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<DocumentsDbContext>();
        var queue = scope.ServiceProvider.GetRequiredService<IngestionQueue>();
        await using var turn = await ExclusiveTurn.TryTakeAsync(db, ScheduleTurn, cancellationToken);
        if (turn is null)
        {
            return; // another instance is queueing this tick's refreshes
        }
        var now = time.GetUtcNow();
        // Across tenants: the scheduler serves every tenant's sources; each is then handled for its own tenant.
        var due = await db.Sources.AcrossTenants()
            .Where(s => s.NextRunAt != null && s.NextRunAt <= now && s.Kind != SourceKind.Upload)
            .OrderBy(s => s.NextRunAt).Take(100).ToListAsync(cancellationToken);
        foreach (var source in due)
        {
            db.Tenant.ActFor(source.TenantId);
            source.NextRunAt = NextRun(source.Schedule, now);
            var busy = await db.IngestionJobs.AnyAsync(
                j => j.SourceId == source.Id && (j.State == IngestionJobState.Queued || j.State == IngestionJobState.Running), cancellationToken);
            if (!busy && await queue.EnqueueAsync(source, IngestionTrigger.Schedule, "schedule", isSnapshot: true, onlyKeys: null, cancellationToken) is { } job)
            {
                var target = (await VersionTarget.LoadAsync(db, source.LibraryVersionId, cancellationToken))!;
                IngestionQueue.Announce(db, job, target, time);
            }
            await db.SaveChangesAsync(cancellationToken);
        }
        if (due.Count > 0)
        {
            queue.Wake();
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The source scheduler could not queue due refreshes; it tries again")]
    private static partial void LogSchedulerError(ILogger logger, Exception exception);
}
