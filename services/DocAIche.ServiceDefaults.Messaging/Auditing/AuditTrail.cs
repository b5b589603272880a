using System.Diagnostics;
using DocAIche.Contracts.Audit;
using Microsoft.Extensions.Hosting;
using DocAIche.ServiceDefaults.Messaging;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;

namespace DocAIche.ServiceDefaults.Auditing;

/// <summary>Outcomes an audit record can have.</summary>
public static class AuditOutcomes
{
    public const string Success = "success";
    public const string Failure = "failure";
    public const string Denied = "denied";
}

/// <summary>
/// Queues an <see cref="AuditEventOccurred"/> in the service's outbox. Call it before the
/// <c>SaveChanges</c> that commits the change, so the record and the change commit together.
/// </summary>
public static class AuditTrail
{
    public static void AddAuditEvent(
        this DbContext db, HttpContext http, TimeProvider time, string action, string targetType, string targetId,
        string outcome = AuditOutcomes.Success, IReadOnlyDictionary<string, string>? details = null) =>
        db.AddIntegrationEvent(Describe(http, time, action, targetType, targetId, outcome, details), time);

    /// <summary>
    /// Queues an event whose actor is not the token's caller: a sign-in (anonymous until it succeeds),
    /// a lockout, what the service itself did. The same event as every other audit record.
    /// </summary>
    public static void AddAuditEvent(
        this DbContext db, TimeProvider time, HttpContext? http, string tenantId, string actor, string action, string targetType, string targetId,
        string outcome = AuditOutcomes.Success, IReadOnlyDictionary<string, string>? details = null) =>
        db.AddIntegrationEvent(new AuditEventOccurred(tenantId, actor, action, targetType, targetId, outcome,
            http?.Connection.RemoteIpAddress?.ToString(), Activity.Current?.TraceId.ToString(), details, time.GetUtcNow()), time);

    /// <summary>The event for a request by the authenticated caller.</summary>
    public static AuditEventOccurred Describe(
        HttpContext http, TimeProvider time, string action, string targetType, string targetId,
        string outcome = AuditOutcomes.Success, IReadOnlyDictionary<string, string>? details = null) =>
        new(http.User.GetTenantId(), http.User.GetSubject(), action, targetType, targetId, outcome,
            http.Connection.RemoteIpAddress?.ToString(), Activity.Current?.TraceId.ToString(), details, time.GetUtcNow());
}
