using DocAIche.Identity.Infrastructure;
using DocAIche.ServiceDefaults.Quotas;
using Microsoft.EntityFrameworkCore;
using StackExchange.Redis;

namespace DocAIche.Identity.Quotas;

/// <summary>
/// Writes the tenants' quotas where the services that hold them read them: the Redis hash
/// <see cref="TenantQuotas.Key"/>, with an announcement on <see cref="TenantQuotas.Channel"/> so they
/// drop what they cached. The tenants table is the truth; it is written to Redis whole at start and
/// every minute, so a Redis that restarted empty or missed a change is repaired within a minute.
/// </summary>
public sealed partial class QuotaPublisher(IConnectionMultiplexer redis, ILogger<QuotaPublisher> logger)
{
    /// <summary>Writes one tenant's quotas (after they are saved) and announces the change.</summary>
    public async Task PublishAsync(string tenantId, TenantQuotas quotas)
    {
        try
        {
            var cache = redis.GetDatabase();
            if (quotas == TenantQuotas.None)
            {
                await cache.HashDeleteAsync(TenantQuotas.Key, tenantId);
            }
            else
            {
                await cache.HashSetAsync(TenantQuotas.Key, tenantId, quotas.ToJson());
            }
            await redis.GetSubscriber().PublishAsync(RedisChannel.Literal(TenantQuotas.Channel), tenantId);
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException)
        {
            LogNotPublished(logger, exception, tenantId);
        }
    }

    /// <summary>Writes every tenant's quotas and removes those of tenants that have none.</summary>
    public async Task PublishAllAsync(IdentityDbContext db, CancellationToken cancellationToken)
    {
        var tenants = await db.Tenants.AsNoTracking().ToListAsync(cancellationToken);
        var limited = tenants.Where(t => t.Quotas() != TenantQuotas.None).ToList();
        var cache = redis.GetDatabase();
        var stored = await cache.HashKeysAsync(TenantQuotas.Key);
        var stale = stored.Where(field => limited.All(t => t.Id != field.ToString())).ToArray();
        if (limited.Count > 0)
        {
            await cache.HashSetAsync(TenantQuotas.Key, [.. limited.Select(t => new HashEntry(t.Id, t.Quotas().ToJson()))]);
        }
        if (stale.Length > 0)
        {
            await cache.HashDeleteAsync(TenantQuotas.Key, stale);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "The quotas of tenant {TenantId} were saved but not written to Redis; the next minute's full write carries them")]
    private static partial void LogNotPublished(ILogger logger, Exception exception, string tenantId);
}

/// <summary>Writes every tenant's quotas to Redis at start and every minute.</summary>
public sealed partial class QuotaResync(IServiceScopeFactory scopes, QuotaPublisher publisher, TimeProvider time, ILogger<QuotaResync> logger) : BackgroundService
{
    private static readonly TimeSpan Every = TimeSpan.FromMinutes(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Every, time);
        do
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                await publisher.PublishAllAsync(scope.ServiceProvider.GetRequiredService<IdentityDbContext>(), stoppingToken);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                // Redis or the database away: tried again next minute; the services keep the quotas they read.
                LogResyncFailed(logger, exception);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The tenants' quotas could not be written to Redis; trying again in a minute")]
    private static partial void LogResyncFailed(ILogger logger, Exception exception);
}
