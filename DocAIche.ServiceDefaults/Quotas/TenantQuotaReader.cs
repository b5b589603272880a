using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace DocAIche.ServiceDefaults.Quotas;

/// <summary>
/// The tenants' quotas as identity last wrote them to Redis, held in memory for a short while so that
/// a request costs a dictionary lookup, and dropped at once when identity announces a change. Without
/// Redis the last quotas read keep applying (a tenant never read is unlimited): an outage of the cache
/// loosens quotas, it never stops the service.
/// </summary>
public sealed partial class TenantQuotaReader(ILogger<TenantQuotaReader> logger, TimeProvider time, IConnectionMultiplexer? redis = null)
{
    /// <summary>How long quotas read are trusted without asking Redis again (announcements aside).</summary>
    public static readonly TimeSpan Fresh = TimeSpan.FromSeconds(30);

    private readonly ConcurrentDictionary<string, (TenantQuotas Quotas, DateTimeOffset ReadAt)> known = new(StringComparer.Ordinal);
    private int subscribed;

    /// <summary>The tenant's quotas (<see cref="TenantQuotas.None"/> when none were set).</summary>
    public async ValueTask<TenantQuotas> ForAsync(string tenantId, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        if (known.TryGetValue(tenantId, out var entry) && now - entry.ReadAt < Fresh)
        {
            return entry.Quotas;
        }
        if (redis is null)
        {
            return TenantQuotas.None;
        }
        try
        {
            Subscribe();
            var json = await redis.GetDatabase().HashGetAsync(TenantQuotas.Key, tenantId).WaitAsync(TimeSpan.FromSeconds(2), cancellationToken);
            var quotas = TenantQuotas.FromJson(json.IsNull ? null : json.ToString()) ?? TenantQuotas.None;
            known[tenantId] = (quotas, now);
            return quotas;
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException)
        {
            LogUnavailable(logger, exception);
            return entry.Quotas ?? TenantQuotas.None;
        }
    }

    /// <summary>Forgets what was read of a tenant (identity announced a change).</summary>
    public void Forget(string tenantId) => known.TryRemove(tenantId, out _);

    private void Subscribe()
    {
        if (redis is null || Interlocked.Exchange(ref subscribed, 1) == 1)
        {
            return;
        }
        try
        {
            redis.GetSubscriber().Subscribe(RedisChannel.Literal(TenantQuotas.Channel), (_, tenant) => Forget(tenant.ToString()));
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException)
        {
            // Read again at the next request; until then quotas are re-read every Fresh.
            Volatile.Write(ref subscribed, 0);
            LogUnavailable(logger, exception);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Tenant quotas could not be read from Redis; the last ones read apply")]
    private static partial void LogUnavailable(ILogger logger, Exception exception);
}

public static class TenantQuotaExtensions
{
    /// <summary>Quotas read from Redis (register the Redis client first; without one, no tenant is limited).</summary>
    public static IServiceCollection AddTenantQuotas(this IServiceCollection services)
    {
        services.AddSingleton(provider => new TenantQuotaReader(
            provider.GetRequiredService<ILogger<TenantQuotaReader>>(), provider.GetService<TimeProvider>() ?? TimeProvider.System,
            provider.GetService<IConnectionMultiplexer>()));
        return services;
    }
}
