using System.Globalization;
using StackExchange.Redis;

namespace DocAIche.WebSocket.LiveUpdates;

/// <summary>
/// The most live connections each tenant held at once on each UTC day, across every instance: kept
/// in Redis by the admission script (<see cref="ConnectionLimits"/>), a key per tenant and day.
/// </summary>
public static class LivePeaks
{
    /// <summary>How long a day's peak is kept: a year and a month, for yearly reports.</summary>
    public static readonly TimeSpan Kept = TimeSpan.FromDays(400);

    /// <summary>The set of tenants that ever had a peak (for operators' reports across tenants).</summary>
    public static readonly RedisKey Tenants = "docaiche:usage:live-peak-tenants";

    public static RedisKey KeyOf(string tenantId, DateOnly day) =>
        $"docaiche:usage:live-peak:{tenantId}:{day.ToString("yyyyMMdd", CultureInfo.InvariantCulture)}";

    /// <summary>The peaks of the tenants on the days (0 where none was recorded), read in one round trip per 1,000 keys.</summary>
    public static async Task<List<(string TenantId, DateOnly Day, long Peak)>> ReadAsync(IDatabase redis, IReadOnlyList<string> tenants, IReadOnlyList<DateOnly> days)
    {
        var wanted = tenants.SelectMany(t => days.Select(d => (TenantId: t, Day: d))).ToList();
        var peaks = new List<(string, DateOnly, long)>(wanted.Count);
        foreach (var batch in wanted.Chunk(1000))
        {
            var values = await redis.StringGetAsync([.. batch.Select(w => KeyOf(w.TenantId, w.Day))]);
            peaks.AddRange(batch.Select((w, i) => (w.TenantId, w.Day, values[i].TryParse(out long peak) ? peak : 0L)));
        }
        return peaks;
    }
}
