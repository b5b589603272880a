using Microsoft.Extensions.Diagnostics.HealthChecks;
using StackExchange.Redis;

namespace DocAIche.Search.Infrastructure;

/// <summary>Redis down degrades search (no shared cache) but does not stop it: Degraded, not Unhealthy.</summary>
public sealed class CacheHealthCheck(IConnectionMultiplexer connection) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (!connection.IsConnected)
        {
            return HealthCheckResult.Degraded("Redis is unreachable: search answers without its shared cache.");
        }
        try
        {
            await connection.GetDatabase().PingAsync();
            return HealthCheckResult.Healthy();
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException)
        {
            return HealthCheckResult.Degraded("Redis does not answer: search answers without its shared cache.", exception);
        }
    }
}
