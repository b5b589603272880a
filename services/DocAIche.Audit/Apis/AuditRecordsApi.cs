using System.Globalization;
using System.Text;
using System.Text.Json;
using DocAIche.Audit.Infrastructure;
using DocAIche.Audit.Model;
using DocAIche.Audit.Trail;
using DocAIche.ServiceDefaults.Authentication;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace DocAIche.Audit.Apis;

/// <summary>One page of audit records in chain order; pass <c>nextCursor</c> as <c>cursor</c> for the next.</summary>
public sealed record AuditRecordPage(IReadOnlyList<AuditRecordView> Items, string? NextCursor);

/// <summary>Filters shared by the list and the export.</summary>
public sealed record AuditRecordQuery(
    [FromQuery] DateTimeOffset? From,
    [FromQuery] DateTimeOffset? To,
    [FromQuery] string? Actor,
    [FromQuery] string? Action,
    [FromQuery] string? TargetType,
    [FromQuery] string? Target,
    [FromQuery] string? Outcome)
{
    public AuditRecordFilter ToFilter() => new(From, To, Actor?.Trim(), Action?.Trim(), TargetType?.Trim(), Target?.Trim(), Outcome?.Trim());

    public Dictionary<string, string[]> Validate()
    {
        var errors = new Dictionary<string, string[]>();
        if (From is { } from && To is { } to && to <= from)
        {
            errors["to"] = ["'to' must be after 'from'."];
        }
        foreach (var (name, value) in new[] { ("actor", Actor), ("action", Action), ("targetType", TargetType), ("target", Target), ("outcome", Outcome) })
        {
            if (value is { Length: > 256 })
            {
                errors[name] = ["At most 256 characters."];
            }
        }
        return errors;
    }
}

public static class AuditRecordsApi
{
    private const int MaxPageSize = 500;
    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);

    public static IEndpointRouteBuilder MapAuditRecordsApi(this IEndpointRouteBuilder app)
    {
        var audit = app.MapGroup("/api/v1/audit").WithTags("Audit records").RequireAuthorization(DocAIchePolicies.Audit);

        audit.MapGet("/records", ListRecordsAsync)
            .WithName("ListAuditRecords")
            .WithSummary("List the tenant's audit records, oldest first, filtered by time, actor, action, target and outcome");
        audit.MapGet("/records/export", ExportRecordsAsync)
            .WithName("ExportAuditRecords")
            .WithSummary("Stream every matching audit record as JSON lines (format=jsonl) or CSV (format=csv)");
        audit.MapGet("/verify", VerifyAsync)
            .WithName("VerifyAuditChain")
            .WithSummary("Walk the tenant's hash chain and report the first record that does not verify");

        return app;
    }

    internal static async Task<Results<Ok<AuditRecordPage>, ValidationProblem>> ListRecordsAsync(
        HttpContext http, AuditRecordReader reader, [AsParameters] AuditRecordQuery query, CancellationToken cancellationToken,
        string? cursor = null, int limit = 50)
    {
        var errors = query.Validate();
        long after = 0;
        if (!string.IsNullOrEmpty(cursor) && (!long.TryParse(cursor, NumberStyles.None, CultureInfo.InvariantCulture, out after) || after < 0))
        {
            errors["cursor"] = ["The cursor is not one this API returned."];
        }
        if (limit is < 1 or > MaxPageSize)
        {
            errors["limit"] = [$"The limit must be between 1 and {MaxPageSize}."];
        }
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var page = await reader.ReadAsync(http.User.GetTenantId(), query.ToFilter(), after, limit + 1, cancellationToken);
        var items = page.Take(limit).ToList();
        return TypedResults.Ok(new AuditRecordPage(items, page.Count > limit ? items[^1].Sequence.ToString(CultureInfo.InvariantCulture) : null));
    }

    internal static async Task<IResult> ExportRecordsAsync(
        HttpContext http, AuditRecordReader reader, [AsParameters] AuditRecordQuery query, CancellationToken cancellationToken, string format = "jsonl")
    {
        var errors = query.Validate();
        if (format is not ("jsonl" or "csv"))
        {
            errors["format"] = ["Formats are 'jsonl' and 'csv'."];
        }
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var tenant = http.User.GetTenantId();
        var records = reader.StreamAsync(tenant, query.ToFilter(), cancellationToken);
        var contentType = format == "csv" ? "text/csv; charset=utf-8" : "application/x-ndjson; charset=utf-8";
        var fileName = $"audit-{DateTimeOffset.UtcNow:yyyyMMddTHHmmssZ}.{format}";
        return TypedResults.Stream(async stream =>
        {
            await using var writer = new StreamWriter(stream, new UTF8Encoding(false), bufferSize: 16 * 1024);
            if (format == "csv")
            {
                await writer.WriteLineAsync("id,sequence,occurredAt,recordedAt,actorType,actor,action,targetType,targetId,outcome,clientAddress,traceId,details,hash");
            }
            await foreach (var record in records)
            {
                await writer.WriteLineAsync(format == "csv" ? Csv(record) : JsonSerializer.Serialize(record, JsonOptions));
            }
        }, contentType, fileName);
    }

    internal static async Task<Ok<ChainVerification>> VerifyAsync(
        HttpContext http, ChainVerifier verifier, AuditDbContext db, TimeProvider time, CancellationToken cancellationToken)
    {
        var tenant = http.User.GetTenantId();
        var result = await verifier.VerifyAsync(tenant, cancellationToken);
        // Kept for compliance reports: when the chain was checked, by whom, and what was found.
        db.ChainVerificationRuns.Add(new ChainVerificationRun
        {
            Id = Guid.CreateVersion7(),
            TenantId = tenant,
            At = time.GetUtcNow(),
            RequestedBy = http.User.GetSubject(),
            Verified = result.Verified,
            RecordsChecked = result.RecordsChecked,
            FirstBrokenSequence = result.FirstBroken?.Sequence,
            Problem = result.Problem is { Length: > 1000 } problem ? problem[..1000] : result.Problem,
            Milliseconds = result.Milliseconds,
        });
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(result);
    }

    private static string Csv(AuditRecordView record) => string.Join(',',
        record.Id.ToString(CultureInfo.InvariantCulture), record.Sequence.ToString(CultureInfo.InvariantCulture),
        record.OccurredAt.ToString("O", CultureInfo.InvariantCulture), record.RecordedAt.ToString("O", CultureInfo.InvariantCulture),
        Field(record.ActorType), Field(record.Actor), Field(record.Action), Field(record.TargetType), Field(record.TargetId), Field(record.Outcome),
        Field(record.ClientAddress), Field(record.TraceId), Field(record.Details is null ? null : JsonSerializer.Serialize(record.Details, JsonOptions)),
        Field(record.Hash));

    internal static string Field(string? value) => ServiceDefaults.Http.Csv.Field(value);
}
