using System.Globalization;
using System.Text;
using DocAIche.Audit.Infrastructure;
using DocAIche.Audit.Retention;
using DocAIche.Audit.Trail;
using DocAIche.ServiceDefaults.Authentication;
using DocAIche.ServiceDefaults.Data;
using DocAIche.ServiceDefaults.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace DocAIche.Audit.Apis;

/// <summary>One walk of the hash chain.</summary>
public sealed record ChainVerificationRow(DateTimeOffset At, string RequestedBy, bool Verified, long RecordsChecked, long? FirstBrokenSequence, string? Problem);

/// <summary>One privacy request and how long it took every service to answer.</summary>
public sealed record PrivacyRequestRow(Guid Id, string Kind, string State, DateTimeOffset CreatedAt, DateTimeOffset? CompletedAt, double? HoursToComplete);

public sealed record PrivacySummary(int Requests, int Completed, int Pending, double? MedianHoursToComplete, double? LongestHoursToComplete);

/// <summary>
/// Evidence for an audit (SOC 2 style) over a period: every verification of the tenant's audit chain
/// and its outcome, the privacy requests with their completion times, and the retention in force.
/// </summary>
public sealed record ComplianceReport(
    string TenantId, DateTimeOffset GeneratedAt, string GeneratedBy, DateTimeOffset From, DateTimeOffset To,
    RetentionSettings Retention, IReadOnlyList<ChainVerificationRow> ChainVerifications,
    PrivacySummary Privacy, IReadOnlyList<PrivacyRequestRow> PrivacyRequests);

public static class ReportsApi
{
    private static readonly string[] Sections = ["verifications", "privacy", "retention"];

    public static IEndpointRouteBuilder MapReportsApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/reports/compliance", ComplianceAsync).WithTags("Reports").RequireAuthorization(DocAIchePolicies.Audit)
            .WithName("GetComplianceReport")
            .WithSummary("Audit-chain verifications, privacy requests and their completion times, and retention over the last `days` (JSON; CSV per `section`: verifications, privacy, retention). Generating it is audited.")
            .Produces<ComplianceReport>().ProducesValidationProblem();
        return app;
    }

    private static async Task<IResult> ComplianceAsync(
        HttpContext http, AuditDbContext db, AuditLedger ledger, IOptions<RetentionOptions> retentionOptions, TimeProvider time,
        int? days, string? format, string? section, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        var period = days ?? 90;
        if (period is < 1 or > 3650)
        {
            errors["days"] = ["From 1 to 3650 days."];
        }
        format ??= "json";
        ReportFormat.Validate(format, section, Sections, errors);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var tenant = http.User.GetTenantId();
        var now = time.GetUtcNow();
        var from = now.AddDays(-period);
        var verifications = await db.ChainVerificationRuns.AsNoTracking().Where(r => r.At >= from).OrderBy(r => r.At)
            .Select(r => new ChainVerificationRow(r.At, r.RequestedBy, r.Verified, r.RecordsChecked, r.FirstBrokenSequence, r.Problem))
            .ToListAsync(cancellationToken);
        var requests = (await db.PrivacyRequests.AsNoTracking().Where(r => r.CreatedAt >= from).OrderBy(r => r.CreatedAt)
                .Select(r => new { r.Id, r.Kind, r.State, r.CreatedAt, r.CompletedAt })
                .ToListAsync(cancellationToken))
            .Select(r => new PrivacyRequestRow(r.Id, r.Kind, r.State, r.CreatedAt, r.CompletedAt,
                r.CompletedAt is { } done ? Math.Round((done - r.CreatedAt).TotalHours, 3) : null))
            .ToList();
        var hours = requests.Where(r => r.HoursToComplete is not null).Select(r => r.HoursToComplete!.Value).Order().ToList();
        var summary = new PrivacySummary(requests.Count, hours.Count, requests.Count - hours.Count,
            hours.Count == 0 ? null : hours.Count % 2 == 1 ? hours[hours.Count / 2] : (hours[(hours.Count / 2) - 1] + hours[hours.Count / 2]) / 2,
            hours.Count == 0 ? null : hours[^1]);
        var policy = await db.RetentionPolicies.AsNoTracking().FirstOrDefaultAsync(cancellationToken);
        var retention = policy is null
            ? new RetentionSettings(retentionOptions.Value.DefaultAuditRecordDays, retentionOptions.Value.DefaultQueryHistoryDays)
            : new RetentionSettings(policy.AuditRecordDays, policy.QueryHistoryDays);

        // Generating evidence is itself evidence: recorded in the trail before the report is returned.
        await db.InTransactionAsync(async token =>
        {
            db.ChangeTracker.Clear();
            await ledger.AppendAsync(ledger.EntryFor(http, "report.generated", "report", "compliance", new Dictionary<string, string>
            {
                ["format"] = format == "csv" ? $"csv:{section}" : "json",
                ["days"] = period.ToString(CultureInfo.InvariantCulture),
            }), Guid.CreateVersion7(), token);
            await db.SaveChangesAsync(token);
        }, cancellationToken);

        var report = new ComplianceReport(tenant, now, http.User.GetSubject(), from, now, retention, verifications, summary, requests);
        if (format == "json")
        {
            return TypedResults.Ok(report);
        }
        return ReportFormat.Csv(CsvOf(report, section!));
    }

    private static string CsvOf(ComplianceReport report, string section)
    {
        var csv = new StringBuilder();
        switch (section)
        {
            case "verifications":
                csv.AppendLine(Csv.Line("at", "requested_by", "verified", "records_checked", "first_broken_sequence", "problem"));
                foreach (var v in report.ChainVerifications)
                {
                    csv.AppendLine(Csv.Line(Csv.Time(v.At), v.RequestedBy, v.Verified ? "true" : "false", v.RecordsChecked.ToString(CultureInfo.InvariantCulture),
                        v.FirstBrokenSequence?.ToString(CultureInfo.InvariantCulture), v.Problem));
                }
                break;
            case "privacy":
                csv.AppendLine(Csv.Line("id", "kind", "state", "created_at", "completed_at", "hours_to_complete"));
                foreach (var r in report.PrivacyRequests)
                {
                    csv.AppendLine(Csv.Line(r.Id.ToString(), r.Kind, r.State, Csv.Time(r.CreatedAt), Csv.Time(r.CompletedAt), Csv.Number(r.HoursToComplete)));
                }
                break;
            default:
                csv.AppendLine(Csv.Line("audit_record_days", "query_history_days"));
                csv.AppendLine(Csv.Line(report.Retention.AuditRecordDays.ToString(CultureInfo.InvariantCulture), report.Retention.QueryHistoryDays.ToString(CultureInfo.InvariantCulture)));
                break;
        }
        return csv.ToString();
    }
}
