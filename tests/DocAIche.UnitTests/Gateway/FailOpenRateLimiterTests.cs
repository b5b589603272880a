using System.Threading.RateLimiting;
using DocAIche.Gateway.Edge;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;

namespace DocAIche.UnitTests.Gateway;

public sealed class FailOpenRateLimiterTests
{
    [Fact]
    public async Task A_redis_connection_dropped_mid_command_lets_the_request_through()
    {
        // What StackExchange.Redis does to commands in flight when it finds its socket dead.
        using var limiter = new FailOpenRateLimiter(new Throwing(new TaskCanceledException()), NullLogger.Instance);
        using var lease = await limiter.AcquireAsync(1, CancellationToken.None);
        Assert.True(lease.IsAcquired);
    }

    [Fact]
    public async Task Redis_errors_and_timeouts_let_the_request_through()
    {
        using var failing = new FailOpenRateLimiter(new Throwing(new RedisConnectionException(ConnectionFailureType.SocketFailure, "down")), NullLogger.Instance);
        using var slow = new FailOpenRateLimiter(new Throwing(new TimeoutException()), NullLogger.Instance);
        Assert.True((await failing.AcquireAsync(1, CancellationToken.None)).IsAcquired);
        Assert.True((await slow.AcquireAsync(1, CancellationToken.None)).IsAcquired);
    }

    [Fact]
    public async Task A_request_that_was_itself_cancelled_stays_cancelled()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        using var limiter = new FailOpenRateLimiter(new Throwing(new TaskCanceledException()), NullLogger.Instance);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await limiter.AcquireAsync(1, cancelled.Token));
    }

    private sealed class Throwing(Exception exception) : RateLimiter
    {
        public override TimeSpan? IdleDuration => null;

        public override RateLimiterStatistics? GetStatistics() => null;

        protected override RateLimitLease AttemptAcquireCore(int permitCount) => throw exception;

        protected override ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken) =>
            ValueTask.FromException<RateLimitLease>(exception);
    }
}
