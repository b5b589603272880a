using DocAIche.ServiceDefaults.Data;
using Microsoft.Extensions.Options;

namespace DocAIche.Audit.Retention;

/// <summary>Applies every tenant's audit retention on an interval.</summary>
public sealed partial class RetentionService(IServiceScopeFactory scopes, IOptions<RetentionOptions> options, TimeProvider time, ILogger<RetentionService> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.PurgeInterval, time);
        do
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
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
