using System.Threading.RateLimiting;
using StackExchange.Redis;

namespace DocAIche.Gateway.Edge;

/// <summary>
/// A Redis-backed limiter that lets requests through while Redis is unreachable: losing the shared
/// counters for a while is better than refusing every request. The gateway's /health shows Redis
/// as unhealthy meanwhile.
/// </summary>
internal sealed partial class FailOpenRateLimiter(RateLimiter inner, ILogger logger) : RateLimiter
{
    private static readonly RateLimitLease Granted = new GrantedLease();

    public override TimeSpan? IdleDuration => inner.IdleDuration;

    public override RateLimiterStatistics? GetStatistics() => inner.GetStatistics();

    protected override RateLimitLease AttemptAcquireCore(int permitCount)
    {
        try
        {
            return inner.AttemptAcquire(permitCount);
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException)
        {
            LogRedisUnavailable(logger, exception);
            return Granted;
        }
    }

    protected override async ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken)
    {
        try
        {
            return await inner.AcquireAsync(permitCount, cancellationToken);
        }
        // A connection Redis dropped cancels the commands in flight: that is Redis being unavailable
        // too (a 500 for the request otherwise), unless the request itself was cancelled.
        catch (Exception exception) when (exception is RedisException or TimeoutException ||
            (exception is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            LogRedisUnavailable(logger, exception);
            return Granted;
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }
        base.Dispose(disposing);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rate limits are not enforced: Redis is unavailable")]
    private static partial void LogRedisUnavailable(ILogger logger, Exception exception);

    private sealed class GrantedLease : RateLimitLease
    {
        public override bool IsAcquired => true;

        public override IEnumerable<string> MetadataNames => [];

        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            metadata = null;
            return false;
        }
    }
}
