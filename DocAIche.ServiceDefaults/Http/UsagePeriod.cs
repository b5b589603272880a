using System.Security.Claims;
using DocAIche.ServiceDefaults.Authentication;
using Microsoft.Extensions.Hosting;

namespace DocAIche.ServiceDefaults.Http;

/// <summary>
/// What a usage report asks for, read the same way by every service that reports usage: a range
/// (default the last 30 days, at most 366), by day or in total, JSON or CSV, the caller's tenant or
/// (operators only) every tenant.
/// </summary>
public sealed record UsagePeriod(DateTimeOffset From, DateTimeOffset To, string Granularity, string Format, bool AllTenants, string TenantId, string GroupBy)
{
    /// <summary>The SQL of the period a row falls in, for a timestamp column (a fixed expression, never the caller's text).</summary>
    public string PeriodOf(string column) => Granularity == "day" ? $"date_trunc('day', \"{column}\" AT TIME ZONE 'UTC')" : "NULL::timestamp";

    /// <summary>The tenant condition (empty across tenants); its value is the parameter <c>@tenant</c>.</summary>
    public string TenantFilter => AllTenants ? "" : "AND \"TenantId\" = @tenant";

    /// <summary>Reads the request, adding what is wrong with it to <paramref name="errors"/>.</summary>
    /// <param name="groups">The groupings the report offers (<c>groupBy</c>, default <c>none</c>); none when it offers none.</param>
    public static UsagePeriod Read(
        ClaimsPrincipal caller, DateTimeOffset now, DateTimeOffset? from, DateTimeOffset? to, string? granularity, string? format, string? tenant,
        IDictionary<string, string[]> errors, string? groupBy = null, IReadOnlyCollection<string>? groups = null)
    {
        groupBy ??= "none";
        if (groups is not null && !groups.Contains(groupBy))
        {
            errors["groupBy"] = [$"One of: {string.Join(", ", groups)}."];
        }
        var end = (to ?? now).ToUniversalTime();
        var start = (from ?? end.AddDays(-30)).ToUniversalTime();
        granularity ??= "day";
        format ??= "json";
        if (start >= end || end - start > TimeSpan.FromDays(366))
        {
            errors["from"] = ["from must be before to, at most 366 days apart."];
        }
        if (granularity is not ("day" or "total"))
        {
            errors["granularity"] = ["'day' or 'total'."];
        }
        ReportFormat.Validate(format, null, [], errors);
        var allTenants = tenant == "all";
        if (allTenants && !caller.IsInRole(DocAIcheRoles.Operator))
        {
            errors["tenant"] = ["Only operators see every tenant."];
        }
        return new UsagePeriod(start, end, granularity, format, allTenants, caller.GetTenantId(), groupBy);
    }
}
