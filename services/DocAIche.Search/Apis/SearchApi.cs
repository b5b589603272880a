using DocAIche.ServiceDefaults.Quotas;
using DocAIche.ServiceDefaults.Auditing;
using DocAIche.Search.History;
using DocAIche.Search.Embeddings;
using DocAIche.Search.Infrastructure;
using DocAIche.Search.Searching;
using DocAIche.ServiceDefaults.Authentication;
using DocAIche.ServiceDefaults.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace DocAIche.Search.Apis;

/// <summary>A search in a request body (the same fields as the query string of GET).</summary>
/// <param name="Query">Words, "quoted phrases", OR and -excluded words; up to 500 characters.</param>
/// <param name="Library">A library's name or id; omitted: every library the caller can see, each at its default version.</param>
/// <param name="Version">The library's version; omitted: its default version. Only with a library.</param>
/// <param name="Limit">Results per page, 1 to 50 (10).</param>
/// <param name="MaxTokens">The most text the page may carry, in estimated tokens (4 characters each), 1 to 100,000.</param>
/// <param name="Cursor">The <c>nextCursor</c> of the previous page.</param>
public sealed record SearchRequest(string? Query, string? Library = null, string? Version = null, int? Limit = null, int? MaxTokens = null, string? Cursor = null);

/// <summary>
/// How far one library's index is: chunks searchable by full text, how many have their vector yet, and
/// over how many chunks the word statistics that weigh ranking were last counted (they follow changes
/// within seconds for small libraries, minutes for large ones).
/// </summary>
public sealed record LibraryIndexStatus(Guid LibraryId, string Name, long Chunks, long Embedded, long Waiting, long TermsCountedOver);

/// <summary>The embedding model in use and each visible library's index.</summary>
public sealed record IndexStatusResponse(string Model, IReadOnlyList<LibraryIndexStatus> Libraries);

public static class SearchApi
{
    public const int MaxQueryLength = 500;
    public const int MaxLimit = 50;
    public const int MaxTokenBudget = 100_000;

    public static IEndpointRouteBuilder MapSearchApi(this IEndpointRouteBuilder app)
    {
        var search = app.MapGroup("/api/v1/search").WithTags("Search").RequireAuthorization(DocAIchePolicies.Read);

        search.MapGet("/", (HttpContext http, CachedSearch searches, QueryHistory history, CancellationToken cancellationToken,
                string? q, string? library, string? version, int? limit, int? maxTokens, string? cursor) =>
                SearchAsync(http, searches, history, new SearchRequest(q, library, version, limit, maxTokens, cursor), cancellationToken))
            .WithName("Search")
            .WithSummary("Search the tenant's documentation and shared libraries")
            .WithDescription("Hybrid search: full text and meaning, fused. Query in q; optional library (name or id), version (default: the library's default version; the response says which answered), limit, maxTokens (a budget for all returned text) and cursor.");

        search.MapPost("/", (HttpContext http, CachedSearch searches, QueryHistory history, SearchRequest request, CancellationToken cancellationToken) =>
                SearchAsync(http, searches, history, request, cancellationToken))
            .ReadsOnly()
            .WithName("SearchWithBody")
            .WithSummary("Search, with the parameters in a JSON body");

        search.MapGet("/status", StatusAsync)
            .WithName("SearchIndexStatus")
            .WithSummary("How far each visible library's index is")
            .WithDescription("Chunks are found by full text as soon as they are indexed, and by meaning once embedded; 'waiting' counts those without a vector from the current model yet.");

        return app;
    }

    private sealed record ChunkCounts(Guid LibraryId, long Chunks, long Embedded);

    internal static async Task<Ok<IndexStatusResponse>> StatusAsync(
        HttpContext http, LibraryCatalog catalog, SearchDbContext db, EmbeddingModel model, CancellationToken cancellationToken)
    {
        var view = await catalog.VisibleAsync(http.User.GetTenantId(), cancellationToken);
        var ids = view.Libraries.Select(l => l.LibraryId).ToArray();
        var counts = (await db.Database.SqlQuery<ChunkCounts>($"""
            SELECT "LibraryId", count(*) AS "Chunks", count(*) FILTER (WHERE "EmbeddingModel" = {model.Id}) AS "Embedded"
            FROM indexed_chunks WHERE "LibraryId" = ANY({ids}) GROUP BY "LibraryId"
            """).ToListAsync(cancellationToken)).ToDictionary(c => c.LibraryId);
        // Across tenants: narrowed to the libraries this caller sees.
        var counted = await db.IndexedLibraries.AsNoTracking().AcrossTenants().Where(l => ids.Contains(l.LibraryId))
            .ToDictionaryAsync(l => l.LibraryId, l => l.TermsChunks, cancellationToken);
        return TypedResults.Ok(new IndexStatusResponse(model.Id, [.. view.Libraries.OrderBy(l => l.Name, StringComparer.OrdinalIgnoreCase).Select(l =>
        {
            var count = counts.GetValueOrDefault(l.LibraryId) ?? new ChunkCounts(l.LibraryId, 0, 0);
            return new LibraryIndexStatus(l.LibraryId, l.Name, count.Chunks, count.Embedded, count.Chunks - count.Embedded, counted.GetValueOrDefault(l.LibraryId));
        })]));
    }

    /// <summary>Checks a search request; the errors, or the query to run.</summary>
    public static Dictionary<string, string[]> Validate(SearchRequest request, out SearchQuery query)
    {
        var errors = new Dictionary<string, string[]>();
        var text = request.Query is null ? "" : QueryText.Normalise(request.Query);
        if (text.Length == 0)
        {
            errors["query"] = ["A query is required."];
        }
        else if (text.Length > MaxQueryLength)
        {
            errors["query"] = [$"The query is longer than {MaxQueryLength} characters."];
        }
        var limit = request.Limit ?? 10;
        if (limit is < 1 or > MaxLimit)
        {
            errors["limit"] = [$"The limit must be between 1 and {MaxLimit}."];
        }
        if (request.MaxTokens is < 1 or > MaxTokenBudget)
        {
            errors["maxTokens"] = [$"The token budget must be between 1 and {MaxTokenBudget}."];
        }
        if (request.Version is not null && string.IsNullOrWhiteSpace(request.Library))
        {
            errors["version"] = ["A version is given with its library."];
        }
        if (request.Library is { Length: > 100 })
        {
            errors["library"] = ["A library name is at most 100 characters."];
        }
        if (request.Version is { Length: > 64 })
        {
            errors["version"] = ["A version is at most 64 characters."];
        }
        if (!SearchCursor.TryDecode(request.Cursor, out var offset))
        {
            errors["cursor"] = ["The cursor is not one this API returned."];
        }
        query = new SearchQuery(text, string.IsNullOrWhiteSpace(request.Library) ? null : request.Library.Trim(), request.Version?.Trim(), limit, request.MaxTokens, offset);
        return errors;
    }

    internal static async Task<Results<Ok<SearchResponse>, ValidationProblem, ProblemHttpResult>> SearchAsync(
        HttpContext http, CachedSearch searches, QueryHistory history, SearchRequest request, CancellationToken cancellationToken)
    {
        var errors = Validate(request, out var query);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }
        if (await http.RequestServices.GetRequiredService<SearchQuota>().SpendAsync(http.User.GetTenantId(), cancellationToken) is { } spent)
        {
            return QuotaProblem(http, spent);
        }
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var outcome = await searches.SearchAsync(http.User.GetTenantId(), query, cancellationToken);
        var took = System.Diagnostics.Stopwatch.GetElapsedTime(started);
        http.Response.Headers["Server-Timing"] = http.RequestServices.GetRequiredService<SearchTimings>().Header();
        if (outcome is SearchOutcome.Found answered)
        {
            history.Record(http.User, answered.Response, "api", took);
        }
        return outcome switch
        {
            SearchOutcome.Found found => TypedResults.Ok(found.Response),
            var refused => Problem(refused),
        };
    }

    /// <summary>429 naming the quota, with Retry-After at the next UTC midnight.</summary>
    public static ProblemHttpResult QuotaProblem(HttpContext http, QuotaRefusal spent) =>
        QuotaProblems.Spent(http, spent.Quota, spent.Limit, spent.Used, "searches a day", spent.RetryAfter);

    /// <summary>Why a search has no results: an unknown library or version, never a silent swap for another.</summary>
    public static ProblemHttpResult Problem(SearchOutcome outcome) => outcome switch
    {
        SearchOutcome.UnknownLibrary unknown => TypedResults.Problem(
            title: "Library not found", detail: $"No library named '{unknown.Library}' is visible to you. GET /api/v1/libraries/resolve?name=... finds libraries by name.",
            statusCode: StatusCodes.Status404NotFound),
        SearchOutcome.UnknownVersion unknown => TypedResults.Problem(
            title: "Version not found", detail: $"Library '{unknown.Library}' has no version '{unknown.Version}'. Its versions: {(unknown.Versions.Count == 0 ? "none yet" : string.Join(", ", unknown.Versions))}.",
            statusCode: StatusCodes.Status404NotFound),
        _ => throw new ArgumentOutOfRangeException(nameof(outcome)),
    };
}
