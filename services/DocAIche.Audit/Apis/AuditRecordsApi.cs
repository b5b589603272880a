using DocAIche.Audit.Infrastructure;
using DocAIche.ServiceDefaults.Authentication;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace DocAIche.Audit.Apis;

/// <summary>An audit record.</summary>
public sealed record AuditRecordResponse(
    long Id, DateTimeOffset OccurredAt, DateTimeOffset RecordedAt, string Actor, string Action,
    string TargetType, string TargetId, string Outcome);

/// <summary>One page of audit records, oldest first; pass <c>nextCursor</c> as <c>cursor</c> for the next.</summary>
public sealed record AuditRecordPage(IReadOnlyList<AuditRecordResponse> Items, string? NextCursor);

public static class AuditRecordsApi
{
    private const int MaxPageSize = 200;

    public static IEndpointRouteBuilder MapAuditRecordsApi(this IEndpointRouteBuilder app)
    {
        var records = app.MapGroup("/api/v1/audit/records").WithTags("Audit records");

        records.MapGet("/", ListRecordsAsync)
            .WithName("ListAuditRecords")
            .WithSummary("List audit records, optionally for one target")
            .RequireAuthorization(DocAIchePolicies.Audit);

        return app;
    }

    internal static async Task<Results<Ok<AuditRecordPage>, ValidationProblem>> ListRecordsAsync(
        HttpContext http, AuditDbContext db, CancellationToken cancellationToken, string? targetId = null, string? cursor = null, int limit = 50)
    {
        long after = 0;
        if (!string.IsNullOrEmpty(cursor) && (!long.TryParse(cursor, out after) || after < 0))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["cursor"] = ["The cursor is not one this API returned."] });
        }
        if (limit is < 1 or > MaxPageSize)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["limit"] = [$"The limit must be between 1 and {MaxPageSize}."] });
        }

        var tenant = http.User.GetTenantId();
        var query = db.AuditRecords.AsNoTracking().Where(r => r.TenantId == tenant && r.Id > after);
        if (!string.IsNullOrEmpty(targetId))
        {
            query = query.Where(r => r.TargetId == targetId);
        }
        var page = await query.OrderBy(r => r.Id).Take(limit + 1).ToListAsync(cancellationToken);
        var items = page.Take(limit)
            .Select(r => new AuditRecordResponse(r.Id, r.OccurredAt, r.RecordedAt, r.Actor, r.Action, r.TargetType, r.TargetId, r.Outcome))
            .ToList();
        return TypedResults.Ok(new AuditRecordPage(items, page.Count > limit ? items[^1].Id.ToString() : null));
    }
}
