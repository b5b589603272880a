using DocAIche.Contracts.Identity;
using DocAIche.Identity.Infrastructure;
using DocAIche.ServiceDefaults.Messaging;

namespace DocAIche.Identity.Accounts;

/// <summary>Queues a <see cref="SecurityEventOccurred"/> in the outbox, saved with the change it describes.</summary>
public static class SecurityEvents
{
    public static void Record(
        IdentityDbContext db, TimeProvider time, HttpContext? http, string tenantId, string actor, string action,
        string targetType, string targetId, string outcome = "success") =>
        db.AddIntegrationEvent(new SecurityEventOccurred(
            tenantId, actor, action, targetType, targetId, outcome,
            http?.Connection.RemoteIpAddress?.ToString(), time.GetUtcNow(), System.Diagnostics.Activity.Current?.TraceId.ToString()), time);
}
