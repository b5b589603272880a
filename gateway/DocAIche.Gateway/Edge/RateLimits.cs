using System.Globalization;
using System.Security.Claims;
using System.Threading.RateLimiting;
using DocAIche.ServiceDefaults.Authentication;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using RedisRateLimiting;
using StackExchange.Redis;

namespace DocAIche.Gateway.Edge;

/// <summary>
/// Token buckets kept in Redis, so every gateway replica counts against the same limits: per caller
/// and per tenant for authenticated requests, per client address for anonymous ones, and a much
/// stricter one per address for attempts to prove an identity. A refusal is a 429 problem with
/// Retry-After.
/// </summary>
public static class RateLimits
{
    public static IServiceCollection AddGatewayRateLimits(this IServiceCollection services)
    {
        services.AddSingleton<CredentialAttemptLimiter>();
        services.AddRateLimiter(_ => { });
        services.AddOptions<RateLimiterOptions>().Configure<IConnectionMultiplexer, IOptions<EdgeOptions>, ILoggerFactory>((limiter, redis, edge, loggers) =>
        {
            var settings = edge.Value;
            var logger = loggers.CreateLogger("DocAIche.Gateway.RateLimits");
            limiter.GlobalLimiter = PartitionedRateLimiter.CreateChained(
                PartitionedRateLimiter.Create<HttpContext, string>(context => IsProbe(context)
                    ? RateLimitPartition.GetNoLimiter("probe")
                    : context.User.Identity?.IsAuthenticated == true
                        ? Bucket(redis, $"caller:{context.User.GetSubject()}", settings.PerCaller, logger)
                        : Bucket(redis, $"address:{Address(context)}", settings.Anonymous, logger)),
                PartitionedRateLimiter.Create<HttpContext, string>(context =>
                    context.User.FindFirstValue(DocAIcheClaims.Tenant) is { } tenant && !IsProbe(context)
                        ? Bucket(redis, $"tenant:{tenant}", settings.PerTenant, logger)
                        : RateLimitPartition.GetNoLimiter("no-tenant")));
            limiter.OnRejected = (context, cancellationToken) => RejectAsync(context.HttpContext, context.Lease, cancellationToken);
        });
        return services;
    }

    internal static RateLimitPartition<string> Bucket(IConnectionMultiplexer redis, string key, TokenBucket bucket, ILogger logger)
    {
        var shared = RedisRateLimitPartition.GetTokenBucketRateLimiter($"docaiche:ratelimit:{key}", _ => new RedisTokenBucketRateLimiterOptions
        {
            ConnectionMultiplexerFactory = () => redis,
            TokenLimit = bucket.TokenLimit,
            TokensPerPeriod = bucket.TokensPerPeriod,
            ReplenishmentPeriod = bucket.Period,
        });
        return RateLimitPartition.Get(shared.PartitionKey, partition => new FailOpenRateLimiter(shared.Factory(partition), logger));
    }

    internal static string Address(HttpContext context) => context.Connection.RemoteIpAddress?.ToString() ?? "unknown";

    private static bool IsProbe(HttpContext context) =>
        context.Request.Path.StartsWithSegments(ServiceDefaultsExtensions.HealthPath) ||
        context.Request.Path.StartsWithSegments(ServiceDefaultsExtensions.AlivePath);

    internal static async ValueTask RejectAsync(HttpContext context, RateLimitLease lease, CancellationToken cancellationToken)
    {
        var retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(1);
        context.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        await Results.Problem(
            title: "Too many requests",
            detail: "The rate limit was reached; retry after the number of seconds in Retry-After.",
            statusCode: StatusCodes.Status429TooManyRequests).ExecuteAsync(context);
    }
}

/// <summary>The per-address limit on sign-ins, token requests and unknown API keys (brute force).</summary>
public sealed class CredentialAttemptLimiter(IConnectionMultiplexer redis, IOptions<EdgeOptions> edge, ILogger<CredentialAttemptLimiter> logger)
{
    private readonly PartitionedRateLimiter<HttpContext> _limiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
        RateLimits.Bucket(redis, $"credentials:{RateLimits.Address(context)}", edge.Value.CredentialAttempts, logger));

    /// <summary>Takes one attempt; when none is left, answers 429 and returns false.</summary>
    public async Task<bool> TryAttemptAsync(HttpContext context)
    {
        using var lease = await _limiter.AcquireAsync(context, 1, context.RequestAborted);
        if (lease.IsAcquired)
        {
            return true;
        }
        await RateLimits.RejectAsync(context, lease, context.RequestAborted);
        return false;
    }

    public static bool IsCredentialAttempt(HttpRequest request) =>
        HttpMethods.IsPost(request.Method) &&
        (request.Path.Equals("/connect/token", StringComparison.OrdinalIgnoreCase) ||
         request.Path.Equals("/account/signin", StringComparison.OrdinalIgnoreCase));
}

public static class CredentialAttemptLimits
{
    /// <summary>Sign-in posts and token requests spend one credential attempt of the client's address.</summary>
    public static IApplicationBuilder UseCredentialAttemptLimits(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        if (CredentialAttemptLimiter.IsCredentialAttempt(context.Request) &&
            !await context.RequestServices.GetRequiredService<CredentialAttemptLimiter>().TryAttemptAsync(context))
        {
            return;
        }
        await next(context);
    });
}
