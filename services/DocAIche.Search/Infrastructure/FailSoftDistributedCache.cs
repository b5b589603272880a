using Microsoft.Extensions.Caching.Distributed;
using StackExchange.Redis;

namespace DocAIche.Search.Infrastructure;

/// <summary>
/// The Redis level of the search cache, made optional: while Redis is unreachable every read is a
/// miss and every write is skipped at once (no waiting for timeouts), so search answers uncached
/// instead of failing. Health reports the degradation.
/// </summary>
public sealed partial class FailSoftDistributedCache(IDistributedCache redis, IConnectionMultiplexer connection, ILogger<FailSoftDistributedCache> logger)
    : IDistributedCache
{
    public byte[]? Get(string key) => Try(() => redis.Get(key), null);

    public Task<byte[]?> GetAsync(string key, CancellationToken token = default) => TryAsync(() => redis.GetAsync(key, token), null);

    public void Refresh(string key) => Try(() => { redis.Refresh(key); return true; }, false);

    public Task RefreshAsync(string key, CancellationToken token = default) => TryAsync(async () => { await redis.RefreshAsync(key, token); return true; }, false);

    public void Remove(string key) => Try(() => { redis.Remove(key); return true; }, false);

    public Task RemoveAsync(string key, CancellationToken token = default) => TryAsync(async () => { await redis.RemoveAsync(key, token); return true; }, false);

    public void Set(string key, byte[] value, DistributedCacheEntryOptions options) => Try(() => { redis.Set(key, value, options); return true; }, false);

    public Task SetAsync(string key, byte[] value, DistributedCacheEntryOptions options, CancellationToken token = default) =>
        TryAsync(async () => { await redis.SetAsync(key, value, options, token); return true; }, false);

    private T Try<T>(Func<T> action, T fallback)
    {
        if (!connection.IsConnected)
        {
            return fallback;
        }
        try
        {
            return action();
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException or ObjectDisposedException)
        {
            LogUnavailable(logger, exception);
            return fallback;
        }
    }

    private async Task<T> TryAsync<T>(Func<Task<T>> action, T fallback)
    {
        if (!connection.IsConnected)
        {
            return fallback;
        }
        try
        {
            return await action();
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException or ObjectDisposedException)
        {
            LogUnavailable(logger, exception);
            return fallback;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Redis is unavailable; searching without its cache")]
    private static partial void LogUnavailable(ILogger logger, Exception exception);
}
