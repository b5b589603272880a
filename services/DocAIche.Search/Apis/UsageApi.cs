using System.Globalization;
using System.Text;
using DocAIche.Search.Infrastructure;
using DocAIche.Search.Model;
using DocAIche.ServiceDefaults.Authentication;
using DocAIche.ServiceDefaults.Http;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace DocAIche.Search.Apis;

/// <summary>Searches in a period (a day, or the whole range) for one group: who, which library, or which channel.</summary>
/// <remarks>
/// <c>Searches</c> are searches (REST and MCP <c>search_docs</c>), <c>Answers</c> answered questions,
/// <c>McpToolCalls</c> every MCP tool call (<c>search_docs</c> included); results and tokens are
/// what all of them served; zero results and latency are of searches and answers.
/// </remarks>
public sealed record SearchUsageRow(
    string? Tenant, DateOnly? Day, string? Group, long Searches, long Answers, long McpToolCalls, long ZeroResultSearches, long Results, long TokensServed,
    double? P50Milliseconds, double? P95Milliseconds, long? Feedback, double? FeedbackRate);

public sealed record SearchUsageReport(DateTimeOffset From, DateTimeOffset To, string Granularity, string GroupBy, IReadOnlyList<SearchUsageRow> Rows);

/// <summary>A query as people asked it, how often, and how often nothing answered it (a documentation gap).</summary>
public sealed record QueryUsageRow(string Query, string? Library, long Searches, long ZeroResultSearches, DateTimeOffset LastAt);

/// <summary>A row of the usage aggregate query.</summary>
internal sealed class SearchAggregate
{
    public DateTime? Period { get; set; }
    public string Tenant { get; set; } = "";
    public string Group { get; set; } = "";
    public long Searches { get; set; }
    public long Answers { get; set; }
    public long ToolCalls { get; set; }
    public long ZeroResults { get; set; }
    public long Results { get; set; }
    public long Tokens { get; set; }
    public double? P50 { get; set; }
    public double? P95 { get; set; }
}

/// <summary>Feedback given in a period, per tenant.</summary>
internal sealed class FeedbackCount
{
    public DateTime? Period { get; set; }
    public string Tenant { get; set; } = "";
    public long Count { get; set; }
}

/// <summary>
/// Search usage from the metering every search (API and MCP) leaves off its request path (the query
/// history): searches, zero-result searches, results and tokens served, latency percentiles and
/// feedback, by day or in total, per person or key, library or channel; and the top queries and
/// zero-result queries of a library. Operators see every tenant. As long as the tenant's query-history
/// retention keeps them; erased with the person.
/// </summary>
public static class UsageApi
{
    private static readonly Dictionary<string, string> Groups = new(StringComparer.Ordinal)
    {
        ["none"] = "''",
        ["subject"] = "\"Subject\"",
        ["library"] = "coalesce(\"Library\", '')",
        ["channel"] = "\"Channel\"",
        ["operation"] = "\"Operation\"",
    };

    public static IEndpointRouteBuilder MapUsageApi(this IEndpointRouteBuilder app)
    {
        var usage = app.MapGroup("/api/v1/usage").WithTags("Usage").RequireAuthorization(DocAIchePolicies.Audit);
        usage.MapGet("/searches", SearchesAsync).WithName("GetSearchUsage")
            .WithSummary("Searches, answers and MCP tool calls by day or in total, grouped by none, subject, library, channel or operation (JSON or CSV); operators may ask for tenant=all")
            .Produces<SearchUsageReport>().ProducesValidationProblem();
        usage.MapGet("/queries", QueriesAsync).WithName("GetQueryUsage")
            .WithSummary("The most asked queries, or with zeroResults=true those nothing answered (documentation gaps), optionally of one library")
            .Produces<List<QueryUsageRow>>().ProducesValidationProblem();
        return app;
    }

    private static async Task<IResult> SearchesAsync(
        HttpContext http, SearchDbContext db, TimeProvider time,
        DateTimeOffset? from, DateTimeOffset? to, string? granularity, string? groupBy, string? format, string? tenant, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        var asked = UsagePeriod.Read(http.User, time.GetUtcNow(), from, to, granularity, format, tenant, errors, groupBy, Groups.Keys);
        groupBy = asked.GroupBy;
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }
        var (start, end, allTenants) = (asked.From, asked.To, asked.AllTenants);
        granularity = asked.Granularity;

        // Column and grouping expressions come from the fixed lists above; every value is a parameter.
        var period = asked.PeriodOf("At");
        var tenantFilter = asked.TenantFilter;
        var parameters = new object[]
        {
            new NpgsqlParameter("from", start), new NpgsqlParameter("to", end), new NpgsqlParameter("tenant", http.User.GetTenantId()),
        };
        // The expressions interpolated are from the fixed lists above (never the caller's text); values are parameters.
        var aggregate = $"""
            SELECT {period} AS "Period", "TenantId" AS "Tenant", {Groups[groupBy]} AS "Group",
                   count(*) FILTER (WHERE "Operation" = 'search') AS "Searches",
                   count(*) FILTER (WHERE "Operation" = 'answer') AS "Answers",
                   count(*) FILTER (WHERE "Channel" = 'mcp') AS "ToolCalls",
                   count(*) FILTER (WHERE "Operation" IN ('search', 'answer') AND "Results" = 0) AS "ZeroResults",
                   coalesce(sum("Results"), 0)::bigint AS "Results", coalesce(sum("Tokens"), 0)::bigint AS "Tokens",
                   percentile_cont(0.5) WITHIN GROUP (ORDER BY "Milliseconds") FILTER (WHERE "Operation" IN ('search', 'answer')) AS "P50",
                   percentile_cont(0.95) WITHIN GROUP (ORDER BY "Milliseconds") FILTER (WHERE "Operation" IN ('search', 'answer')) AS "P95"
            FROM query_history
            WHERE "At" >= @from AND "At" < @to {tenantFilter}
            GROUP BY 1, 2, 3
            ORDER BY 1, 2, 3
            """;
        var rows = await db.Database.SqlQueryRaw<SearchAggregate>(aggregate, parameters).ToListAsync(ct);

        // Feedback belongs to a period and tenant, not to a person's or library's searches: shown when not grouped.
        Dictionary<(DateTime?, string), long> feedback = [];
        if (groupBy == "none")
        {
            var given = $"""
                    SELECT {asked.PeriodOf("CreatedAt")} AS "Period", "TenantId" AS "Tenant", count(*) AS "Count"
                    FROM search_feedback
                    WHERE "CreatedAt" >= @from AND "CreatedAt" < @to {tenantFilter}
                    GROUP BY 1, 2
                    """;
            feedback = (await db.Database.SqlQueryRaw<FeedbackCount>(given, [new NpgsqlParameter("from", start), new NpgsqlParameter("to", end), new NpgsqlParameter("tenant", http.User.GetTenantId())])
                .ToListAsync(ct))
                .ToDictionary(f => (f.Period, f.Tenant), f => f.Count);
        }

        var report = new SearchUsageReport(start, end, granularity, groupBy, [.. rows.Select(r =>
        {
            long? feedbackGiven = groupBy == "none" ? feedback.GetValueOrDefault((r.Period, r.Tenant)) : null;
            return new SearchUsageRow(allTenants ? r.Tenant : null, r.Period is { } day ? DateOnly.FromDateTime(day) : null,
                groupBy == "none" ? null : r.Group, r.Searches, r.Answers, r.ToolCalls, r.ZeroResults, r.Results, r.Tokens,
                Round(r.P50), Round(r.P95), feedbackGiven, feedbackGiven is { } count && r.Searches > 0 ? Math.Round((double)count / r.Searches, 4) : null);
        })]);
        return asked.Format == "json" ? TypedResults.Ok(report) : ReportFormat.Csv(CsvOf(report));
    }

    private static async Task<IResult> QueriesAsync(
        HttpContext http, SearchDbContext db, TimeProvider time, string? library, int? days, bool? zeroResults, int? limit, CancellationToken ct)
    {
        var period = days ?? 30;
        var top = limit ?? 20;
        var errors = new Dictionary<string, string[]>();
        if (period is < 1 or > 366)
        {
            errors["days"] = ["From 1 to 366."];
        }
        if (top is < 1 or > 200)
        {
            errors["limit"] = ["From 1 to 200."];
        }
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }
        var since = time.GetUtcNow().AddDays(-period);
        var history = db.QueryHistory.AsNoTracking().Where(h => h.At >= since && (h.Operation == MeteredOperations.Search || h.Operation == MeteredOperations.Answer));
        if (!string.IsNullOrWhiteSpace(library))
        {
            history = history.Where(h => h.Library == library);
        }
        if (zeroResults == true)
        {
            history = history.Where(h => h.Results == 0);
        }
        var rows = await history
            .GroupBy(h => new { Query = h.Query.Trim().ToLower(), h.Library })
            .Select(g => new { g.Key.Query, g.Key.Library, Searches = g.LongCount(), ZeroResults = g.LongCount(h => h.Results == 0), LastAt = g.Max(h => h.At) })
            .OrderByDescending(r => r.Searches).ThenBy(r => r.Query)
            .Take(top)
            .ToListAsync(ct);
        return TypedResults.Ok(rows.Select(r => new QueryUsageRow(r.Query, r.Library, r.Searches, r.ZeroResults, r.LastAt)).ToList());
    }

    private static double? Round(double? milliseconds) => milliseconds is { } value ? Math.Round(value, 2) : null;

    private static string CsvOf(SearchUsageReport report)
    {
        var csv = new StringBuilder();
        csv.AppendLine(Csv.Line("tenant", "day", "group", "searches", "answers", "mcp_tool_calls", "zero_result_searches", "results", "tokens_served", "p50_ms", "p95_ms", "feedback", "feedback_rate"));
        foreach (var r in report.Rows)
        {
            csv.AppendLine(Csv.Line(r.Tenant, r.Day?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), r.Group,
                r.Searches.ToString(CultureInfo.InvariantCulture), r.Answers.ToString(CultureInfo.InvariantCulture), r.McpToolCalls.ToString(CultureInfo.InvariantCulture),
                r.ZeroResultSearches.ToString(CultureInfo.InvariantCulture),
                r.Results.ToString(CultureInfo.InvariantCulture), r.TokensServed.ToString(CultureInfo.InvariantCulture),
                Csv.Number(r.P50Milliseconds), Csv.Number(r.P95Milliseconds), r.Feedback?.ToString(CultureInfo.InvariantCulture), Csv.Number(r.FeedbackRate)));
        }
        return csv.ToString();
    }
}
