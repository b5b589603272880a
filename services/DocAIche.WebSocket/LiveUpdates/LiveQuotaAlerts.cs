using System.Diagnostics;
using System.Globalization;
using DocAIche.Contracts.Audit;
using DocAIche.ServiceDefaults.Auditing;
using DocAIche.ServiceDefaults.Quotas;
using MassTransit;
using StackExchange.Redis;

namespace DocAIche.WebSocket.LiveUpdates;

/// <summary>
/// The 80 % alert of the live-connections quota: the admission that brings a tenant to it publishes
/// the audit record <c>quota.threshold_reached</c> (the audit service raises the alert), once a day per
/// tenant (a Redis marker shared by every instance), off the handshake's path. This service has no
/// database and so no outbox: should RabbitMQ be away at that moment, the alert is lost and logged.
/// </summary>
public sealed partial class LiveQuotaAlerts(IBus bus, TimeProvider time, ILogger<LiveQuotaAlerts> logger, IConnectionMultiplexer? redis = null)
{
    /// <summary>Notes an admission: the tenant now holds <paramref name="held"/> connections of its <paramref name="quota"/>.</summary>
    public void Admitted(string tenantId, long held, long? quota)
    {
        if (quota is { } limit && held == TenantQuotas.AlertAt(limit))
        {
            _ = AlertAsync(tenantId, limit, held);
        }
    }

    private async Task AlertAsync(string tenantId, long limit, long held)
    {
        try
        {
            var now = time.GetUtcNow();
            RedisKey marker = $"docaiche:quota:alerted:{QuotaNames.LiveConnections}:{tenantId}:{now:yyyyMMdd}";
            if (redis is not null && !await redis.GetDatabase().StringSetAsync(marker, "1", TimeSpan.FromDays(1), When.NotExists))
            {
                return;
            }
            await bus.Publish(new AuditEventOccurred(tenantId, "service:websocket", QuotaAlerts.Action, "quota", QuotaNames.LiveConnections, AuditOutcomes.Success,
                null, Activity.Current?.TraceId.ToString(), new Dictionary<string, string>
                {
                    ["limit"] = limit.ToString(CultureInfo.InvariantCulture),
                    ["used"] = held.ToString(CultureInfo.InvariantCulture),
                    ["share"] = TenantQuotas.AlertShare.ToString("P0", CultureInfo.InvariantCulture),
                }, now));
        }
        catch (Exception exception)
        {
            LogLost(logger, exception, tenantId);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The 80 % live-connections alert of tenant {TenantId} could not be published")]
    private static partial void LogLost(ILogger logger, Exception exception, string tenantId);
}
