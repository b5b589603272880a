using DocAIche.ServiceDefaults.Data;
using DocAIche.ServiceDefaults.Auditing;
using DocAIche.Search.Infrastructure;
using DocAIche.Search.Model;
using DocAIche.ServiceDefaults.Authentication;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace DocAIche.Search.Apis;

/// <summary>Feedback on one search result.</summary>
/// <param name="DocumentId">The result's page.</param>
/// <param name="ChunkId">The result's chunk, when known.</param>
/// <param name="Kind"><c>helpful</c> or <c>not-helpful</c> (a judgement), <c>opened</c> or <c>used</c> (what the user or agent did with it).</param>
/// <param name="Query">The search it came from.</param>
/// <param name="Comment">Optional words, up to 2,000 characters.</param>
public sealed record FeedbackRequest(Guid? DocumentId, Guid? ChunkId, string? Kind, string? Query = null, string? Comment = null);

public sealed record FeedbackResponse(Guid FeedbackId, Guid DocumentId, string Kind, DateTimeOffset CreatedAt);

public static class FeedbackApi
{
    private static readonly Dictionary<string, FeedbackKind> Kinds = new(StringComparer.OrdinalIgnoreCase)
    {
        ["helpful"] = FeedbackKind.Helpful,
        ["not-helpful"] = FeedbackKind.NotHelpful,
        ["opened"] = FeedbackKind.Opened,
        ["used"] = FeedbackKind.Used,
    };

    public static IEndpointRouteBuilder MapFeedbackApi(this IEndpointRouteBuilder app)
    {
        var feedback = app.MapGroup("/api/v1/feedback").WithTags("Feedback").RequireAuthorization(DocAIchePolicies.Read);

        feedback.MapPost("/", GiveFeedbackAsync)
            .WithName("GiveFeedback")
            .WithSummary("Say whether a search result helped, or that it was opened or used")
            .WithDescription("Stored for the caller's tenant and used in its ranking: helpful and used results rise, unhelpful ones sink, within a bound.");

        return app;
    }

    internal static async Task<Results<Created<FeedbackResponse>, ValidationProblem, ProblemHttpResult>> GiveFeedbackAsync(
        HttpContext http, SearchDbContext db, TimeProvider time, FeedbackRequest request, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        if (request.DocumentId is null || request.DocumentId == Guid.Empty)
        {
            errors["documentId"] = ["The result's documentId is required."];
        }
        if (request.Kind is null || !Kinds.TryGetValue(request.Kind, out _))
        {
            errors["kind"] = [$"The kind is one of: {string.Join(", ", Kinds.Keys)}."];
        }
        if (request.Query is { Length: > SearchApi.MaxQueryLength })
        {
            errors["query"] = [$"The query is at most {SearchApi.MaxQueryLength} characters."];
        }
        if (request.Comment is { Length: > 2000 })
        {
            errors["comment"] = ["A comment is at most 2,000 characters."];
        }
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var tenant = http.User.GetTenantId();
        var documentId = request.DocumentId!.Value;
        // Only results the caller could have seen: their tenant's pages or a shared library's.
        // Across tenants, then narrowed by hand: a shared library's pages are visible to every tenant.
        var visible = await db.IndexedChunks.AcrossTenants()
            .Where(c => c.DocumentId == documentId && (request.ChunkId == null || c.ChunkId == request.ChunkId))
            .AnyAsync(c => c.TenantId == tenant ||
                db.IndexedLibraries.AcrossTenants().Any(l => l.LibraryId == c.LibraryId && l.Shared && !l.Deleted), cancellationToken);
        if (!visible)
        {
            return TypedResults.Problem(title: "Result not found", detail: "No search result with that document (and chunk) is visible to you.",
                statusCode: StatusCodes.Status404NotFound);
        }

        var feedback = new SearchFeedback
        {
            FeedbackId = Guid.CreateVersion7(), TenantId = tenant, Subject = http.User.GetSubject(), DocumentId = documentId, ChunkId = request.ChunkId,
            Kind = Kinds[request.Kind!], Query = request.Query?.Trim(), Comment = string.IsNullOrWhiteSpace(request.Comment) ? null : request.Comment.Trim(),
            CreatedAt = time.GetUtcNow(),
        };
        db.Feedback.Add(feedback);
        db.AddAuditEvent(http, time, "feedback.given", "feedback", feedback.FeedbackId.ToString(), details: new Dictionary<string, string>
        {
            ["kind"] = request.Kind!.ToLowerInvariant(),
            ["documentId"] = documentId.ToString(),
        });
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Created($"/api/v1/feedback/{feedback.FeedbackId}",
            new FeedbackResponse(feedback.FeedbackId, documentId, request.Kind!.ToLowerInvariant(), feedback.CreatedAt));
    }
}
