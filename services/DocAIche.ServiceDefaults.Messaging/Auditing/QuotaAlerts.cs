using System.Globalization;
using DocAIche.ServiceDefaults.Quotas;
using Microsoft.EntityFrameworkCore;

namespace DocAIche.ServiceDefaults.Auditing;

/// <summary>
/// A tenant reached 80 % of a quota: an audit record <c>quota.threshold_reached</c> queued with the
/// change that got it there. The audit service raises it as an alert (once a day per quota), which
/// the console's alerts page and the live feed show.
/// </summary>
public static class QuotaAlerts
{
    public const string Action = "quota.threshold_reached";

    public static void AddQuotaAlert(this DbContext db, TimeProvider time, string tenantId, string service, string quota, long limit, long used) =>
        db.AddAuditEvent(time, null, tenantId, $"service:{service}", Action, "quota", quota, details: new Dictionary<string, string>
        {
            ["limit"] = limit.ToString(CultureInfo.InvariantCulture),
            ["used"] = used.ToString(CultureInfo.InvariantCulture),
            ["share"] = TenantQuotas.AlertShare.ToString("P0", CultureInfo.InvariantCulture),
        });
}
