using System.Globalization;
using System.Text;
using DocAIche.Documents.Infrastructure;
using DocAIche.Documents.Usage;
using DocAIche.ServiceDefaults.Data;
using DocAIche.ServiceDefaults.Authentication;
using DocAIche.ServiceDefaults.Http;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace DocAIche.Documents.Apis;

/// <summary>Ingestion in a period for one group: jobs and how they ended, pages fetched, pages that failed, documents changed.</summary>
public sealed record IngestionUsageRow(
    string? Tenant, DateOnly? Day, string? Group, long Jobs, long SucceededJobs, long FailedJobs, long CancelledJobs,
    long PagesFetched, long PagesFailed, long DocumentsChanged, long DocumentsRemoved);

public sealed record IngestionUsageReport(DateTimeOffset From, DateTimeOffset To, string Granularity, string GroupBy, IReadOnlyList<IngestionUsageRow> Rows);

/// <summary>What a tenant stored on a day (its last count that day), or at the end of the range in total.</summary>
public sealed record ContentUsageRow(string? Tenant, DateOnly Day, long Documents, long Chunks, long StorageBytes);

public sealed record ContentUsageReport(DateTimeOffset From, DateTimeOffset To, string Granularity, IReadOnlyList<ContentUsageRow> Rows);

/// <summary>A row of the ingestion aggregate query.</summary>
internal sealed class IngestionAggregate
{
    public DateTime? Period { get; set; }
    public string Tenant { get; set; } = "";
    public string Group { get; set; } = "";
    public long Jobs { get; set; }
    public long Succeeded { get; set; }
    public long Failed { get; set; }
    public long Cancelled { get; set; }
    public long Fetched { get; set; }
    public long PagesFailed { get; set; }
    public long Changed { get; set; }
    public long Removed { get; set; }
}

/// <summary>
/// Ingestion and storage usage, as the documents service knows them: jobs by day or in total, per
/// person or source (who asked: <c>system</c> for scheduled reads), and what each tenant stored day by
/// day (counted every hour). Operators see every tenant with <c>tenant=all</c>.
/// </summary>
public static class UsageApi
{
    private static readonly Dictionary<string, string> Groups = new(StringComparer.Ordinal)
    {
        ["none"] = "''",
        ["subject"] = "\"RequestedBy\"",
        ["source"] = "\"SourceId\"::text",
    };

    public static IEndpointRouteBuilder MapUsageApi(this IEndpointRouteBuilder app)
    {
        var usage = app.MapGroup("/api/v1/usage").WithTags("Usage").RequireAuthorization(DocAIchePolicies.Audit);
        usage.MapGet("/ingestion", IngestionAsync).WithName("GetIngestionUsage")
            .WithSummary("Ingestion jobs, pages fetched and failed, documents changed, by day or in total, grouped by none, subject or source (JSON or CSV); operators may ask for tenant=all")
            .Produces<IngestionUsageReport>().ProducesValidationProblem();
        usage.MapGet("/content", ContentAsync).WithName("GetContentUsage")
            .WithSummary("Documents, chunks and bytes stored, day by day or at the end of the range (JSON or CSV); operators may ask for tenant=all")
            .Produces<ContentUsageReport>().ProducesValidationProblem();
        return app;
    }

    private static async Task<IResult> IngestionAsync(
        HttpContext http, DocumentsDbContext db, TimeProvider time,
        DateTimeOffset? from, DateTimeOffset? to, string? granularity, string? groupBy, string? format, string? tenant, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        var asked = UsagePeriod.Read(http.User, time.GetUtcNow(), from, to, granularity, format, tenant, errors, groupBy, Groups.Keys);
        groupBy = asked.GroupBy;
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }
        // The expressions interpolated are from the fixed lists above (never the caller's text); values are parameters.
        var sql = $"""
            SELECT {asked.PeriodOf("CreatedAt")} AS "Period", "TenantId" AS "Tenant", {Groups[groupBy]} AS "Group",
                   count(*) AS "Jobs",
                   count(*) FILTER (WHERE "State" = 'Succeeded') AS "Succeeded",
                   count(*) FILTER (WHERE "State" = 'Failed') AS "Failed",
                   count(*) FILTER (WHERE "State" = 'Cancelled') AS "Cancelled",
                   coalesce(sum("Fetched"), 0)::bigint AS "Fetched", coalesce(sum("Failed"), 0)::bigint AS "PagesFailed",
                   coalesce(sum("DocumentsChanged"), 0)::bigint AS "Changed", coalesce(sum("DocumentsRemoved"), 0)::bigint AS "Removed"
            FROM ingestion_jobs
            WHERE "CreatedAt" >= @from AND "CreatedAt" < @to {asked.TenantFilter}
            GROUP BY 1, 2, 3
            ORDER BY 1, 2, 3
            """;
        var rows = await db.Database.SqlQueryRaw<IngestionAggregate>(sql, Parameters(asked)).ToListAsync(ct);
        var report = new IngestionUsageReport(asked.From, asked.To, asked.Granularity, groupBy, [.. rows.Select(r => new IngestionUsageRow(
            asked.AllTenants ? r.Tenant : null, r.Period is { } day ? DateOnly.FromDateTime(day) : null, groupBy == "none" ? null : r.Group,
            r.Jobs, r.Succeeded, r.Failed, r.Cancelled, r.Fetched, r.PagesFailed, r.Changed, r.Removed))]);
        return asked.Format == "json" ? TypedResults.Ok(report) : ReportFormat.Csv(IngestionCsv(report));
    }

    private static async Task<IResult> ContentAsync(
        HttpContext http, DocumentsDbContext db, TimeProvider time,
        DateTimeOffset? from, DateTimeOffset? to, string? granularity, string? format, string? tenant, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        var asked = UsagePeriod.Read(http.User, time.GetUtcNow(), from, to, granularity, format, tenant, errors);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }
        var (first, last) = (DateOnly.FromDateTime(asked.From.UtcDateTime), DateOnly.FromDateTime(asked.To.UtcDateTime));
        IQueryable<Model.StorageUsage> stored = asked.AllTenants ? db.StorageUsage.AcrossTenants() : db.StorageUsage;
        var days = stored.AsNoTracking().Where(u => u.Day >= first && u.Day <= last);
        var rows = await days.OrderBy(u => u.TenantId).ThenBy(u => u.Day).ToListAsync(ct);
        var now = time.GetUtcNow();
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        if (today >= first && today <= last)
        {
            // Today is counted afresh: the hourly count may be an hour old.
            var current = await StorageUsageCounter.CountNowAsync(db, asked.AllTenants ? null : asked.TenantId, now, ct);
            rows = [.. rows.Where(u => u.Day != today), .. current];
            rows = [.. rows.OrderBy(u => u.TenantId, StringComparer.Ordinal).ThenBy(u => u.Day)];
        }
        if (asked.Granularity == "total")
        {
            // Storage is a level, not a flow: the total of a range is where it ended.
            rows = [.. rows.GroupBy(u => u.TenantId).Select(g => g.MaxBy(u => u.Day)!)];
        }
        var report = new ContentUsageReport(asked.From, asked.To, asked.Granularity, [.. rows.Select(u => new ContentUsageRow(
            asked.AllTenants ? u.TenantId : null, u.Day, u.Documents, u.Chunks, u.Bytes))]);
        return asked.Format == "json" ? TypedResults.Ok(report) : ReportFormat.Csv(ContentCsv(report));
    }

    private static object[] Parameters(UsagePeriod asked) =>
        [new NpgsqlParameter("from", asked.From), new NpgsqlParameter("to", asked.To), new NpgsqlParameter("tenant", asked.TenantId)];

    private static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string? Day(DateOnly? day) => day?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static string IngestionCsv(IngestionUsageReport report)
    {
        var csv = new StringBuilder();
        csv.AppendLine(Csv.Line("tenant", "day", "group", "jobs", "succeeded_jobs", "failed_jobs", "cancelled_jobs", "pages_fetched", "pages_failed",
            "documents_changed", "documents_removed"));
        foreach (var r in report.Rows)
        {
            csv.AppendLine(Csv.Line(r.Tenant, Day(r.Day), r.Group, Number(r.Jobs), Number(r.SucceededJobs), Number(r.FailedJobs), Number(r.CancelledJobs),
                Number(r.PagesFetched), Number(r.PagesFailed), Number(r.DocumentsChanged), Number(r.DocumentsRemoved)));
        }
        return csv.ToString();
    }

    private static string ContentCsv(ContentUsageReport report)
    {
        var csv = new StringBuilder();
        csv.AppendLine(Csv.Line("tenant", "day", "documents", "chunks", "storage_bytes"));
        foreach (var r in report.Rows)
        {
            csv.AppendLine(Csv.Line(r.Tenant, Day(r.Day), Number(r.Documents), Number(r.Chunks), Number(r.StorageBytes)));
        }
        return csv.ToString();
    }
}
