using DocAIche.Search.Infrastructure;
using DocAIche.ServiceDefaults.Auditing;
using DocAIche.ServiceDefaults.Quotas;
using StackExchange.Redis;

namespace DocAIche.Search.Searching;

/// <summary>A search refused by the tenant's searches-per-day quota, and when the day ends (UTC).</summary>
public sealed record QuotaRefusal(string Quota, long Limit, long Used, TimeSpan RetryAfter)
{
    public string Message => $"The tenant's {Quota} quota ({Limit} searches a day) is spent; it renews at midnight UTC, in {(long)Math.Ceiling(RetryAfter.TotalSeconds)} s.";
}

/// <summary>
/// The searches-per-day quota: one Redis counter per tenant and UTC day, shared by every search
/// instance. Tenants without the quota cost nothing (the quotas are read from memory); for the others
/// a search costs one increment. The search that reaches 80 % queues the alert (exactly one does: the
/// increment is atomic). Without Redis searches are not counted and none is refused.
/// </summary>
public sealed partial class SearchQuota(TenantQuotaReader reader, IServiceScopeFactory scopes, TimeProvider time, ILogger<SearchQuota> logger, IConnectionMultiplexer? redis = null)
{
    private static readonly TimeSpan Kept = TimeSpan.FromDays(2);

    /// <summary>Counts one search for the tenant; the refusal when its quota for the day is spent.</summary>
    public async ValueTask<QuotaRefusal?> SpendAsync(string tenantId, CancellationToken cancellationToken)
    {
        if (redis is null || (await reader.ForAsync(tenantId, cancellationToken)).SearchesPerDay is not { } limit)
        {
            return null;
        }
        var now = time.GetUtcNow();
        RedisKey key = $"docaiche:quota:searches:{tenantId}:{now:yyyyMMdd}";
        long count;
        try
        {
            var cache = redis.GetDatabase();
            count = await cache.StringIncrementAsync(key).WaitAsync(TimeSpan.FromSeconds(2), cancellationToken);
            if (count == 1)
            {
                _ = cache.KeyExpireAsync(key, Kept, flags: CommandFlags.FireAndForget);
            }
            if (count > limit)
            {
                // A refused search is not a search: the count stays at what was served.
                _ = cache.StringDecrementAsync(key, flags: CommandFlags.FireAndForget);
                return new QuotaRefusal(QuotaNames.SearchesPerDay, limit, limit, now.UtcDateTime.Date.AddDays(1) - now.UtcDateTime);
            }
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException)
        {
            LogUncounted(logger, exception);
            return null;
        }
        if (count == TenantQuotas.AlertAt(limit))
        {
            await AlertAsync(tenantId, limit, count, cancellationToken);
        }
        return null;
    }

    private async Task AlertAsync(string tenantId, long limit, long used, CancellationToken cancellationToken)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<SearchDbContext>();
            db.AddQuotaAlert(time, tenantId, "search", QuotaNames.SearchesPerDay, limit, used);
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // The search itself goes on; the alert is lost (and logged), the quota still holds.
            LogAlertLost(logger, exception, tenantId);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Searches could not be counted against their tenant's quota (Redis unavailable); none is refused meanwhile")]
    private static partial void LogUncounted(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "The 80 % searches-per-day alert of tenant {TenantId} could not be queued")]
    private static partial void LogAlertLost(ILogger logger, Exception exception, string tenantId);
}
