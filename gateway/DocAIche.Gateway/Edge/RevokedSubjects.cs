using System.Collections.Concurrent;
using System.Globalization;
using DocAIche.ServiceDefaults.Authentication;
using Microsoft.AspNetCore.Http.HttpResults;
using StackExchange.Redis;

namespace DocAIche.Gateway.Edge;

/// <summary>
/// The subjects identity revoked (a deprovisioned person, their keys and clients), held in memory so
/// that checking a request costs a dictionary lookup: announced on a Redis channel as they happen,
/// and read whole from the Redis hash at start and every few seconds (an announcement missed while
/// Redis or this gateway was away is picked up there).
/// </summary>
public sealed class RevokedSubjects(IConnectionMultiplexer redis, TimeProvider time, ILogger<RevokedSubjects> log) : BackgroundService
{
    private static readonly TimeSpan ReadEvery = TimeSpan.FromSeconds(5);
    private ConcurrentDictionary<string, long> revoked = new(StringComparer.Ordinal);

    /// <summary>Whether a token of the subject issued at <paramref name="issuedAt"/> (Unix seconds) was revoked.</summary>
    public bool IsRevoked(string subject, long issuedAt) => revoked.TryGetValue(subject, out var at) && issuedAt <= at;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await redis.GetSubscriber().SubscribeAsync(RedisChannel.Literal(SubjectRevocations.Channel), (_, message) => Add(message.ToString()));
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            log.LogWarning(e, "Not subscribed to revocations yet; they are read from Redis every {Seconds} s", ReadEvery.TotalSeconds);
        }
        using var timer = new PeriodicTimer(ReadEvery, time);
        do
        {
            try
            {
                await ReadAllAsync();
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // Never the gateway's end: the last known revocations keep applying.
                log.LogError(e, "Revoked subjects could not be refreshed");
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    private void Add(string announcement)
    {
        var parts = announcement.Split(' ');
        if (parts.Length == 2 && long.TryParse(parts[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var at))
        {
            revoked.AddOrUpdate(parts[0], at, (_, known) => Math.Max(known, at));
        }
    }

    private async Task ReadAllAsync()
    {
        try
        {
            var cache = redis.GetDatabase();
            var entries = await cache.HashGetAllAsync(SubjectRevocations.Key);
            var oldest = time.GetUtcNow().Add(-SubjectRevocations.Kept).ToUnixTimeSeconds();
            var current = new ConcurrentDictionary<string, long>(StringComparer.Ordinal);
            var expired = new List<RedisValue>();
            foreach (var entry in entries)
            {
                if (!entry.Value.TryParse(out long at))
                {
                    continue;
                }
                if (at < oldest)
                {
                    expired.Add(entry.Name);
                    continue;
                }
                current[entry.Name.ToString()] = at;
            }
            // Announcements that arrived while reading stay.
            foreach (var (subject, at) in revoked)
            {
                if (at >= oldest)
                {
                    current.AddOrUpdate(subject, at, (_, known) => Math.Max(known, at));
                }
            }
            revoked = current;
            if (expired.Count > 0)
            {
                await cache.HashDeleteAsync(SubjectRevocations.Key, [.. expired]);
            }
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            log.LogWarning(e, "Revoked subjects could not be read from Redis; the last known ones still apply");
        }
    }
}

public static class RevokedSubjectChecks
{
    /// <summary>After authentication: a token of a revoked subject is refused here, before any service sees it.</summary>
    public static IApplicationBuilder UseRevokedSubjectChecks(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        var user = context.User;
        if (user.Identity?.IsAuthenticated == true &&
            user.FindFirst("sub")?.Value is { } subject &&
            long.TryParse(user.FindFirst("iat")?.Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var issuedAt) &&
            context.RequestServices.GetRequiredService<RevokedSubjects>().IsRevoked(subject, issuedAt))
        {
            context.Response.Headers.WWWAuthenticate = "Bearer error=\"invalid_token\", error_description=\"The token was revoked.\"";
            await TypedResults.Problem(title: "Access revoked", statusCode: StatusCodes.Status401Unauthorized,
                detail: "This account's access was revoked (deprovisioned by its organisation). Sign in again if it is restored.").ExecuteAsync(context);
            return;
        }
        await next(context);
    });
}
