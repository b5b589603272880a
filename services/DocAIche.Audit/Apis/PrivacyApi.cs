using System.Text.Json;
using DocAIche.Audit.Infrastructure;
using DocAIche.Audit.Model;
using DocAIche.Audit.Privacy;
using DocAIche.Audit.Trail;
using DocAIche.Contracts.Privacy;
using DocAIche.ServiceDefaults.Authentication;
using DocAIche.ServiceDefaults.Data;
using DocAIche.ServiceDefaults.Messaging;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace DocAIche.Audit.Apis;

/// <summary>Whose data: <c>user:{id}</c> or the user id alone; empty means the caller.</summary>
public sealed record PrivacyRequestBody(string? SubjectId);

/// <summary>One service's answer.</summary>
public sealed record PrivacyServiceStatus(string Service, bool Answered, DateTimeOffset? At, JsonElement? Erased);

/// <summary>A privacy request and how far it got.</summary>
public sealed record PrivacyRequestView(
    Guid Id, string Kind, string? SubjectId, string State, IReadOnlyList<PrivacyServiceStatus> Services,
    DateTimeOffset CreatedAt, DateTimeOffset? CompletedAt, string? BundleUrl);

public static class PrivacyApi
{
    public static IEndpointRouteBuilder MapPrivacyApi(this IEndpointRouteBuilder app)
    {
        var privacy = app.MapGroup("/api/v1/privacy").WithTags("Privacy").RequireAuthorization(DocAIchePolicies.TenantMember);

        privacy.MapGet("/requests", ListAsync)
            .WithName("ListPrivacyRequests")
            .WithSummary("The tenant's last 100 exports and erasures, newest first (admins and owners see all; others those they asked for or are the subject of)");
        privacy.MapPost("/exports", (HttpContext http, PrivacyRequestBody body, AuditDbContext db, AuditLedger ledger, TenantSubjects subjects, TimeProvider time, CancellationToken ct) =>
                RequestAsync(PrivacyKinds.Export, http, body, db, ledger, subjects, time, ct))
            .WithName("RequestPrivacyExport")
            .WithSummary("Collect everything every service holds about a data subject (yourself, or anyone in the tenant for admins and owners)")
            .ProducesProblem(StatusCodes.Status404NotFound);
        privacy.MapGet("/exports/{id:guid}", (Guid id, HttpContext http, AuditDbContext db, CancellationToken ct) => GetAsync(PrivacyKinds.Export, id, http, db, ct))
            .WithName("GetPrivacyExport").WithSummary("An export's status: which services have answered");
        privacy.MapGet("/exports/{id:guid}/bundle", DownloadAsync)
            .WithName("DownloadPrivacyExport").WithSummary("The completed export as one JSON document");
        privacy.MapPost("/erasures", (HttpContext http, PrivacyRequestBody body, AuditDbContext db, AuditLedger ledger, TenantSubjects subjects, TimeProvider time, CancellationToken ct) =>
                RequestAsync(PrivacyKinds.Erasure, http, body, db, ledger, subjects, time, ct))
            .WithName("RequestPrivacyErasure")
            .WithSummary("Delete or anonymise a data subject's personal data in every service; completes when all have confirmed")
            .ProducesProblem(StatusCodes.Status404NotFound);
        privacy.MapGet("/erasures/{id:guid}", (Guid id, HttpContext http, AuditDbContext db, CancellationToken ct) => GetAsync(PrivacyKinds.Erasure, id, http, db, ct))
            .WithName("GetPrivacyErasure").WithSummary("An erasure's status: which services have confirmed");
        return app;
    }

    internal static async Task<Results<Accepted<PrivacyRequestView>, ValidationProblem, ProblemHttpResult>> RequestAsync(
        string kind, HttpContext http, PrivacyRequestBody body, AuditDbContext db, AuditLedger ledger, TenantSubjects subjects, TimeProvider time,
        CancellationToken cancellationToken)
    {
        var caller = http.User.GetSubject();
        var subject = Normalise(string.IsNullOrWhiteSpace(body.SubjectId) ? caller : body.SubjectId.Trim());
        if (subject is null)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["subjectId"] = ["A data subject is a user: give 'user:{id}' or the user's id (API keys and clients act for a user; name the user)."],
            });
        }
        if (subject != caller && !IsAdministrator(http))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Not your data",
                detail: "Only admins and owners may ask for another person's export or erasure.");
        }

        var tenant = http.User.GetTenantId();
        // Someone else's data: only a person of the caller's own tenant. Anyone else is not there (404),
        // and nothing is written or sent.
        if (subject != caller &&
            (TenantSubjects.AuthorizationOf(http) is not { } authorization ||
             !await subjects.BelongsToAsync(tenant, subject, authorization, cancellationToken)))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such data subject",
                detail: "There is no user with this id in your tenant.");
        }
        var request = new PrivacyRequest
        {
            Id = Guid.CreateVersion7(),
            TenantId = tenant,
            Kind = kind,
            SubjectId = subject,
            RequestedBy = caller,
            State = "pending",
            Services = [.. PrivacyParticipants.All],
            CreatedAt = time.GetUtcNow(),
        };
        await db.InTransactionAsync(async token =>
        {
            db.ChangeTracker.Clear();
            db.PrivacyRequests.Add(request);
            await ledger.AppendAsync(ledger.EntryFor(http, $"privacy.{kind}.requested", "privacy-request", request.Id.ToString()), Guid.CreateVersion7(), token);
            db.AddIntegrationEvent<object>(kind == PrivacyKinds.Export
                ? new PrivacyExportRequested(request.Id, tenant, subject, request.CreatedAt)
                : new PrivacyErasureRequested(request.Id, tenant, subject, request.CreatedAt), time);
            await db.SaveChangesAsync(token);
        }, cancellationToken);

        var view = View(request);
        return TypedResults.Accepted($"/api/v1/privacy/{kind}s/{request.Id}", view);
    }

    internal static async Task<Ok<List<PrivacyRequestView>>> ListAsync(HttpContext http, AuditDbContext db, CancellationToken cancellationToken)
    {
        var caller = http.User.GetSubject();
        var requests = db.PrivacyRequests.AsNoTracking().Include(r => r.Parts).AsQueryable();
        if (!IsAdministrator(http))
        {
            requests = requests.Where(r => r.RequestedBy == caller || r.SubjectId == caller);
        }
        var newest = await requests.OrderByDescending(r => r.CreatedAt).ThenByDescending(r => r.Id).Take(100).ToListAsync(cancellationToken);
        return TypedResults.Ok(newest.Select(View).ToList());
    }

    internal static async Task<Results<Ok<PrivacyRequestView>, NotFound<ProblemDetails>>> GetAsync(
        string kind, Guid id, HttpContext http, AuditDbContext db, CancellationToken cancellationToken)
    {
        var request = await FindAsync(kind, id, http, db, cancellationToken);
        return request is null ? NotFound(kind) : TypedResults.Ok(View(request));
    }

    internal static async Task<IResult> DownloadAsync(Guid id, HttpContext http, AuditDbContext db, CancellationToken cancellationToken)
    {
        var request = await FindAsync(PrivacyKinds.Export, id, http, db, cancellationToken);
        if (request is null)
        {
            return NotFound(PrivacyKinds.Export);
        }
        if (request.State != "completed")
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Export not ready",
                detail: $"Waiting for: {string.Join(", ", request.Services.Where(s => request.Parts.All(p => p.Service != s)))}.");
        }
        if (request.SubjectId is null)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status410Gone, title: "Subject erased",
                detail: "The subject of this export was erased since; the export went with their data.");
        }

        return TypedResults.Stream(async stream =>
        {
            await using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
            json.WriteStartObject();
            json.WriteString("requestId", request.Id);
            json.WriteString("subjectId", request.SubjectId);
            json.WriteString("requestedAt", request.CreatedAt);
            json.WriteString("completedAt", request.CompletedAt!.Value);
            json.WriteStartObject("services");
            foreach (var part in request.Parts.OrderBy(p => p.Service, StringComparer.Ordinal))
            {
                json.WritePropertyName(part.Service);
                json.WriteRawValue(part.Data ?? "null");
            }
            json.WriteEndObject();
            json.WriteEndObject();
        }, "application/json", $"privacy-export-{request.Id}.json");
    }

    /// <summary><c>user:{id}</c> for a user id in either form; null for anything else.</summary>
    internal static string? Normalise(string subject)
    {
        var id = subject.StartsWith("user:", StringComparison.Ordinal) ? subject[5..] : subject;
        return Guid.TryParse(id, out var user) ? $"user:{user}" : null;
    }

    private static bool IsAdministrator(HttpContext http) => http.User.IsInRole(DocAIcheRoles.Admin) || http.User.IsInRole(DocAIcheRoles.Owner);

    /// <summary>The request, if it is in the caller's tenant and the caller is an administrator, asked for it, or is its subject.</summary>
    private static async Task<PrivacyRequest?> FindAsync(string kind, Guid id, HttpContext http, AuditDbContext db, CancellationToken cancellationToken)
    {
        var caller = http.User.GetSubject();
        var request = await db.PrivacyRequests.AsNoTracking().Include(r => r.Parts)
            .FirstOrDefaultAsync(r => r.Id == id && r.Kind == kind, cancellationToken);
        return request is not null && (IsAdministrator(http) || request.RequestedBy == caller || request.SubjectId == caller) ? request : null;
    }

    private static NotFound<ProblemDetails> NotFound(string kind) => TypedResults.NotFound(new ProblemDetails
    {
        Status = StatusCodes.Status404NotFound,
        Title = $"No such {kind}",
        Detail = $"There is no {kind} request with this id that you may see.",
    });

    private static PrivacyRequestView View(PrivacyRequest request) => new(
        request.Id, request.Kind, request.SubjectId, request.State,
        request.Services.Select(service => request.Parts.FirstOrDefault(p => p.Service == service) is { } part
            ? new PrivacyServiceStatus(service, true, part.At, part.Summary is null ? null : JsonSerializer.Deserialize<JsonElement>(part.Summary))
            : new PrivacyServiceStatus(service, false, null, null)).ToList(),
        request.CreatedAt, request.CompletedAt,
        request.Kind == PrivacyKinds.Export && request.State == "completed" && request.SubjectId is not null ? $"/api/v1/privacy/exports/{request.Id}/bundle" : null);
}
