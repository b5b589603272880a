using System.Globalization;
using System.Text;
using DocAIche.ServiceDefaults.Authentication;
using DocAIche.ServiceDefaults.Http;
using DocAIche.WebSocket.LiveUpdates;
using StackExchange.Redis;

namespace DocAIche.WebSocket.Apis;

/// <summary>The most live connections a tenant held at once on a day, or over the whole range.</summary>
public sealed record LiveUsageRow(string? Tenant, DateOnly? Day, long PeakConnections);

public sealed record LiveUsageReport(DateTimeOffset From, DateTimeOffset To, string Granularity, IReadOnlyList<LiveUsageRow> Rows);

/// <summary>Live-connection usage: the daily peak of connections open at once, per tenant (operators: every tenant).</summary>
public static class UsageApi
{
    public static IEndpointRouteBuilder MapUsageApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/usage/live", LiveAsync).WithTags("Usage").WithName("GetLiveUsage")
            .WithSummary("The peak of live connections open at once, day by day or over the range (JSON or CSV); operators may ask for tenant=all")
            .Produces<LiveUsageReport>().ProducesValidationProblem().ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .RequireAuthorization(DocAIchePolicies.Audit);
        return app;
    }

    private static async Task<IResult> LiveAsync(
        HttpContext http, IConnectionMultiplexer redis, TimeProvider time,
        DateTimeOffset? from, DateTimeOffset? to, string? granularity, string? format, string? tenant)
    {
        var errors = new Dictionary<string, string[]>();
        var asked = UsagePeriod.Read(http.User, time.GetUtcNow(), from, to, granularity, format, tenant, errors);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }
        var first = DateOnly.FromDateTime(asked.From.UtcDateTime);
        var last = DateOnly.FromDateTime(asked.To.UtcDateTime);
        var days = Enumerable.Range(0, last.DayNumber - first.DayNumber + 1).Select(first.AddDays).ToList();
        List<(string TenantId, DateOnly Day, long Peak)> peaks;
        try
        {
            var database = redis.GetDatabase();
            var tenants = asked.AllTenants
                ? [.. (await database.SetMembersAsync(LivePeaks.Tenants)).Select(t => t.ToString()).Order(StringComparer.Ordinal)]
                : new List<string> { asked.TenantId };
            peaks = await LivePeaks.ReadAsync(database, tenants, days);
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException)
        {
            return TypedResults.Problem(title: "Usage unavailable", detail: "Live-connection peaks are kept in Redis, which cannot be reached now; try again later.",
                statusCode: StatusCodes.Status503ServiceUnavailable);
        }
        var rows = asked.Granularity == "day"
            ? peaks.Where(p => !asked.AllTenants || p.Peak > 0).Select(p => new LiveUsageRow(asked.AllTenants ? p.TenantId : null, p.Day, p.Peak))
            : peaks.GroupBy(p => p.TenantId).Select(g => new LiveUsageRow(asked.AllTenants ? g.Key : null, null, g.Max(p => p.Peak)));
        var report = new LiveUsageReport(asked.From, asked.To, asked.Granularity, [.. rows]);
        return asked.Format == "json" ? TypedResults.Ok(report) : ReportFormat.Csv(CsvOf(report));
    }

    private static string CsvOf(LiveUsageReport report)
    {
        var csv = new StringBuilder();
        csv.AppendLine(Csv.Line("tenant", "day", "peak_connections"));
        foreach (var r in report.Rows)
        {
            csv.AppendLine(Csv.Line(r.Tenant, r.Day?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), r.PeakConnections.ToString(CultureInfo.InvariantCulture)));
        }
        return csv.ToString();
    }
}
