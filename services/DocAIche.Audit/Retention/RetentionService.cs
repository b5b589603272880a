using DocAIche.Audit.Infrastructure;
using DocAIche.ServiceDefaults.Data;
using Microsoft.Extensions.Options;

namespace DocAIche.Audit.Retention;

/// <summary>Applies every tenant's audit retention on an interval.</summary>
public sealed partial class RetentionService(IServiceScopeFactory scopes, IOptions<RetentionOptions> options, TimeProvider time, ILogger<RetentionService> logger)
    : BackgroundService
{
    /// <summary>
    /// The turn a round runs under ("DocARete"). Every instance purges on the same interval; without a
    /// turn two of them compute the same checkpoint, and the second <c>audit_purge</c> finds its
    /// records gone and fails, ending that instance's round before the tenants after it. A session
    /// lock (<see cref="ExclusiveTurn"/>) rather than a transaction keeps each tenant's purge its own
    /// commit; an instance that finds the turn taken skips the round.
    /// </summary>
    private const long PurgeTurn = 0x446f634152657465;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.PurgeInterval, time);
        do
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                await using var turn = await ExclusiveTurn.TryTakeAsync(scope.ServiceProvider.GetRequiredService<AuditDbContext>(), PurgeTurn, stoppingToken);
                if (turn is null)
                {
                    continue; // another instance is purging this round
                }
                var purger = scope.ServiceProvider.GetRequiredService<RetentionPurger>();
                var tenantScope = scope.ServiceProvider.GetRequiredService<TenantScope>();
                foreach (var tenant in await purger.TenantsAsync(stoppingToken))
                {
                    tenantScope.ActFor(tenant);
                    var result = await purger.PurgeAsync(tenant, stoppingToken);
                    if (result.PurgedRecords > 0)
                    {
                        LogPurged(logger, result.PurgedRecords, tenant, result.ThroughSequence ?? 0);
                    }
                }
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                LogFailed(logger, exception);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Purged {Count} audit records of tenant {TenantId} through record {Sequence}")]
    private static partial void LogPurged(ILogger logger, long count, string tenantId, long sequence);

    [LoggerMessage(Level = LogLevel.Error, Message = "Applying audit retention failed; trying again next round")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
