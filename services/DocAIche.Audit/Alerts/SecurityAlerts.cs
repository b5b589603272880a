using System.Globalization;
using DocAIche.Audit.Infrastructure;
using DocAIche.Audit.Trail;
using DocAIche.Contracts.Audit;
using DocAIche.ServiceDefaults.Auditing;
using DocAIche.ServiceDefaults.Messaging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using DocAIche.ServiceDefaults.Privacy;

namespace DocAIche.Audit.Alerts;

/// <summary>A pattern crossed its threshold.</summary>
public sealed record AlertSighting(string Kind, string Subject, int Count, TimeSpan Window, string Summary);

/// <summary>
/// Watches audit entries as they are recorded for repeated failed sign-ins (per account and per
/// address), an API key acting from many addresses and bursts of deletions. Windows are Redis
/// sorted sets shared by every audit instance (members are message ids or addresses, so a
/// redelivered event is not counted twice). Each crossing raises one alert per window: an audit
/// record and a <see cref="SecurityAlertRaised"/> event in the same transaction as the entry.
/// Without Redis the entry is still recorded; only detection pauses.
/// </summary>
public sealed partial class SecurityAlerts(
    IConnectionMultiplexer redis, AuditDbContext db, AuditLedger ledger, IOptions<AlertOptions> options, TimeProvider time, ILogger<SecurityAlerts> logger)
{
    public async Task ObserveAsync(AuditEntry entry, Guid messageId, CancellationToken cancellationToken)
    {
        List<AlertSighting> sightings;
        try
        {
            sightings = await SightAsync(entry, messageId);
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException or ObjectDisposedException)
        {
            LogRedisUnavailable(logger, exception);
            return;
        }

        foreach (var sighting in sightings)
        {
            var alertId = Guid.CreateVersion7();
            var now = time.GetUtcNow();
            var personal = AuditEntry.IsPersonal(sighting.Subject);
            var targetType = sighting.Subject.StartsWith("user:", StringComparison.Ordinal) ? "user" : sighting.Subject.StartsWith("apikey:", StringComparison.Ordinal) ? "api_key" : "alert";
            await ledger.AppendAsync(new AuditEntry(
                entry.TenantId, now, "service:audit", "security.alert_raised", targetType,
                personal ? PrivacyErasure.IdOf(sighting.Subject) : alertId.ToString(),
                "success",
                Details: new Dictionary<string, string>
                {
                    ["alertId"] = alertId.ToString(),
                    ["kind"] = sighting.Kind,
                    ["count"] = sighting.Count.ToString(CultureInfo.InvariantCulture),
                }), Guid.CreateVersion7(), cancellationToken);
            db.AddIntegrationEvent(new SecurityAlertRaised(alertId, entry.TenantId, sighting.Kind, sighting.Subject, sighting.Count, sighting.Window, sighting.Summary, now), time);
            LogAlert(logger, sighting.Kind, entry.TenantId, sighting.Count);
        }
    }

    private async Task<List<AlertSighting>> SightAsync(AuditEntry entry, Guid messageId)
    {
        var settings = options.Value;
        var sightings = new List<AlertSighting>();
        var member = messageId.ToString("N");

        if (entry.Action is "user.sign_in_failed" or "user.locked_out")
        {
            var account = $"user:{entry.TargetId}";
            var count = await CountAsync($"{entry.TenantId}:failed-sign-ins:account:{account}", member, settings.FailedSignInWindow);
            if (count >= settings.FailedSignInsPerAccount)
            {
                await RaiseOnceAsync(sightings, entry.TenantId, member, new AlertSighting("failed-sign-ins.account", account, count, settings.FailedSignInWindow,
                    $"{count} failed sign-ins for one account within {settings.FailedSignInWindow}."));
            }
            if (entry.ClientAddress is { Length: > 0 } address)
            {
                var fromAddress = await CountAsync($"{entry.TenantId}:failed-sign-ins:address:{address}", member, settings.FailedSignInWindow);
                if (fromAddress >= settings.FailedSignInsPerAddress)
                {
                    await RaiseOnceAsync(sightings, entry.TenantId, member, new AlertSighting("failed-sign-ins.address", address, fromAddress, settings.FailedSignInWindow,
                        $"{fromAddress} failed sign-ins from one address within {settings.FailedSignInWindow}."));
                }
            }
        }

        if (entry.Actor.StartsWith("apikey:", StringComparison.Ordinal) && entry.ClientAddress is { Length: > 0 } keyAddress)
        {
            var addresses = await CountAsync($"{entry.TenantId}:api-key-addresses:{entry.Actor}", keyAddress, settings.ApiKeyWindow);
            if (addresses >= settings.ApiKeyAddresses)
            {
                await RaiseOnceAsync(sightings, entry.TenantId, member, new AlertSighting("api-key.many-addresses", entry.Actor, addresses, settings.ApiKeyWindow,
                    $"One API key was used from {addresses} addresses within {settings.ApiKeyWindow}."));
            }
        }

        if (entry.Outcome == "success" && (entry.Action.EndsWith(".deleted", StringComparison.Ordinal) || entry.Action.EndsWith(".revoked", StringComparison.Ordinal)))
        {
            var deletions = await CountAsync($"{entry.TenantId}:deletions:{entry.Actor}", member, settings.DeletionWindow);
            if (deletions >= settings.Deletions)
            {
                await RaiseOnceAsync(sightings, entry.TenantId, member, new AlertSighting("deletions.burst", entry.Actor, deletions, settings.DeletionWindow,
                    $"{deletions} deletions by one actor within {settings.DeletionWindow}."));
            }
        }
        if (entry.Action == QuotaAlerts.Action && entry.TargetType == "quota")
        {
            // Once a day per quota: a tenant hovering around 80 % is told once, not at every crossing.
            var used = entry.Details?.GetValueOrDefault("used") ?? "?";
            var limit = entry.Details?.GetValueOrDefault("limit") ?? "?";
            await RaiseOnceAsync(sightings, entry.TenantId, member, new AlertSighting($"quota.{entry.TargetId}", $"quota:{entry.TargetId}",
                int.TryParse(used, CultureInfo.InvariantCulture, out var count) ? count : 0, QuotaAlertWindow,
                $"The tenant reached 80 % of its {entry.TargetId} quota: {used} of {limit}."));
        }
        return sightings;
    }

    private static readonly TimeSpan QuotaAlertWindow = TimeSpan.FromDays(1);

    /// <summary>Adds the member to the window and returns how many members it holds within it.</summary>
    private async Task<int> CountAsync(string window, string member, TimeSpan length)
    {
        var database = redis.GetDatabase();
        var key = new RedisKey($"docaiche:audit:window:{window}");
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var batch = database.CreateBatch();
        var added = batch.SortedSetAddAsync(key, member, now);
        var trimmed = batch.SortedSetRemoveRangeByScoreAsync(key, double.NegativeInfinity, now - length.TotalMilliseconds);
        var expiry = batch.KeyExpireAsync(key, length + TimeSpan.FromMinutes(1));
        var counted = batch.SortedSetLengthAsync(key);
        batch.Execute();
        await Task.WhenAll(added, trimmed, expiry, counted);
        return (int)await counted;
    }

    /// <summary>Keeps the sighting only if no alert of its kind and subject was raised within its window.</summary>
    private async Task RaiseOnceAsync(List<AlertSighting> sightings, string tenantId, string raisedBy, AlertSighting sighting)
    {
        var key = new RedisKey($"docaiche:audit:raised:{tenantId}:{sighting.Kind}:{sighting.Subject}");
        if (await MarkRaisedAsync(redis.GetDatabase(), key, raisedBy, sighting.Window))
        {
            sightings.Add(sighting);
        }
    }

    /// <summary>
    /// Marks the alert <paramref name="key"/> names as raised for <paramref name="window"/> by the
    /// message <paramref name="raisedBy"/> (its id); true when that message raises it. The marker is set before
    /// the message's transaction commits, so it holds the message's id: when that transaction rolls
    /// back and the message is tried again, the marker it finds is its own and the alert is raised
    /// then, not lost. Any other message finding the marker raises nothing.
    /// </summary>
    internal static async Task<bool> MarkRaisedAsync(IDatabase database, RedisKey key, RedisValue raisedBy, TimeSpan window) =>
        await database.StringSetAsync(key, raisedBy, window, When.NotExists)
        || await database.StringGetAsync(key) == raisedBy;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Redis is unavailable; security alert detection is paused")]
    private static partial void LogRedisUnavailable(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Security alert {Kind} raised for tenant {TenantId} ({Count} events)")]
    private static partial void LogAlert(ILogger logger, string kind, string tenantId, int count);
}
