using DocAIche.Documents.Infrastructure;
using DocAIche.ServiceDefaults.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace DocAIche.Documents.Ingestion;

/// <summary>
/// Takes queued jobs (and jobs whose runner stopped reporting) and runs them, within the per-tenant
/// limit over all instances. Claims are serialised by a transaction-scoped advisory lock, so two
/// runners never start more of a tenant's jobs than allowed, nor two jobs of one source.
/// </summary>
internal sealed partial class IngestionJobRunner(
    IServiceScopeFactory scopes, IngestionSignal signal, IOptions<IngestionOptions> options, TimeProvider time, ILogger<IngestionJobRunner> logger)
    : BackgroundService
{
    private const long ClaimLock = 0x446f634149_01;
    private readonly string runnerId = $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid():N}";

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(Enumerable.Range(0, options.Value.Workers).Select(_ => WorkAsync(stoppingToken)));

    private async Task WorkAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var jobId = await ClaimAsync(stoppingToken);
                if (jobId is null)
                {
                    await signal.WaitAsync(options.Value.PollInterval, stoppingToken);
                    continue;
                }
                await using var scope = scopes.CreateAsyncScope();
                await scope.ServiceProvider.GetRequiredService<IngestionJobExecution>().RunAsync(jobId.Value, runnerId, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // The database is away or the job's row vanished: wait a little and look again.
                LogRunnerError(logger, e);
                try
                {
                    await Task.Delay(options.Value.PollInterval, time, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private async Task<Guid?> ClaimAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<DocumentsDbContext>();
        var now = time.GetUtcNow();
        var leaseEnds = now + options.Value.JobLease;
        var maxRunning = options.Value.MaxRunningJobsPerTenant;

        var claimed = await db.InTransactionAsync(async token =>
        {
            await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock({ClaimLock})", token);
            return await db.Database.SqlQuery<Guid>($"""
                UPDATE ingestion_jobs
                SET "State" = 'Running', "LeaseOwner" = {runnerId}, "LeaseExpiresAt" = {leaseEnds},
                    "Attempts" = "Attempts" + 1, "StartedAt" = COALESCE("StartedAt", {now})
                WHERE "Id" = (
                    SELECT j."Id" FROM ingestion_jobs AS j
                    WHERE (j."State" = 'Queued' OR (j."State" = 'Running' AND j."LeaseExpiresAt" < {now}))
                      AND (SELECT count(*) FROM ingestion_jobs AS r
                           WHERE r."TenantId" = j."TenantId" AND r."State" = 'Running' AND r."LeaseExpiresAt" >= {now}) < {maxRunning}
                      AND NOT EXISTS (SELECT 1 FROM ingestion_jobs AS s
                           WHERE s."SourceId" = j."SourceId" AND s."Id" <> j."Id" AND s."State" = 'Running' AND s."LeaseExpiresAt" >= {now})
                    ORDER BY j."CreatedAt"
                    LIMIT 1)
                  -- Again on the row itself: a runner completing the job holds its row, and when it
                  -- commits, PostgreSQL re-checks only these conditions before updating; the job is then
                  -- ended (or its lease renewed), and must not start again.
                  AND ("State" = 'Queued' OR ("State" = 'Running' AND "LeaseExpiresAt" < {now}))
                RETURNING "Id" AS "Value"
                """).ToListAsync(token);
        }, cancellationToken);
        return claimed.Count == 0 ? null : claimed[0];
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The ingestion runner could not claim or run a job; it tries again")]
    private static partial void LogRunnerError(ILogger logger, Exception exception);
}
