using DocAIche.ServiceDefaults.Authentication;
using DocAIche.Search.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace DocAIche.Search.Apis;

/// <summary>One chunk that matches a search.</summary>
/// <param name="DocumentId">The document the chunk belongs to.</param>
/// <param name="ChunkId">The chunk.</param>
/// <param name="Library">The library's name.</param>
/// <param name="Version">The library version.</param>
/// <param name="Title">The document's title.</param>
/// <param name="Breadcrumb">Title &gt; section &gt; subsection.</param>
/// <param name="SourceUrl">Where to read it, with the section's anchor.</param>
/// <param name="Snippet">Matched terms marked with &lt;mark&gt;.</param>
/// <param name="Score">Relevance; higher is better.</param>
public sealed record SearchHit(Guid DocumentId, Guid ChunkId, string Library, string Version, string Title, string Breadcrumb, string? SourceUrl, string Snippet, double Score);

/// <summary>The chunks that match <c>query</c>, best first.</summary>
public sealed record SearchResponse(string Query, IReadOnlyList<SearchHit> Results);

public static class SearchApi
{
    private const int MaxQueryLength = 500;
    private const int MaxLimit = 50;

    public static IEndpointRouteBuilder MapSearchApi(this IEndpointRouteBuilder app)
    {
        var search = app.MapGroup("/api/v1/search").WithTags("Search");

        search.MapGet("/", SearchAsync)
            .WithName("Search")
            .WithSummary("Full-text search over the tenant's documentation and shared libraries")
            .WithDescription("Web-search syntax: words, \"quoted phrases\", OR, and -excluded words. Optionally one library (by name) and version. Matched terms are marked with <mark> in snippets.")
            .RequireAuthorization(DocAIchePolicies.Read);

        return app;
    }

    internal static async Task<Results<Ok<SearchResponse>, ValidationProblem>> SearchAsync(
        HttpContext http, SearchDbContext db, CancellationToken cancellationToken, string? q = null, int limit = 10, string? library = null, string? version = null)
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(q))
        {
            errors["q"] = ["A query is required."];
        }
        else if (q.Length > MaxQueryLength)
        {
            errors["q"] = [$"The query is longer than {MaxQueryLength} characters."];
        }
        if (limit is < 1 or > MaxLimit)
        {
            errors["limit"] = [$"The limit must be between 1 and {MaxLimit}."];
        }
        if (version is not null && library is null)
        {
            errors["version"] = ["A version is given with its library."];
        }
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var query = q!.Trim();
        var tenant = http.User.GetTenantId();
        var libraryName = library?.Trim().ToLowerInvariant();
        // Parameterised: EF turns each interpolated value into a parameter.
        var hits = await db.Database.SqlQuery<SearchHit>($"""
            SELECT c."DocumentId", c."ChunkId", c."Library", c."Version", c."Title", c."Breadcrumb", c."Url" AS "SourceUrl",
                   ts_headline('english', c."Content", query,
                               'StartSel=<mark>, StopSel=</mark>, MaxFragments=2, MaxWords=30, MinWords=8') AS "Snippet",
                   ts_rank_cd(c."SearchVector", query)::float8 AS "Score"
            FROM indexed_chunks AS c
            JOIN indexed_libraries AS l ON l."LibraryId" = c."LibraryId",
                 websearch_to_tsquery('english', {query}) AS query
            WHERE (c."TenantId" = {tenant} OR l."Shared") AND NOT l."Deleted"
              AND c."SearchVector" @@ query
              AND ({libraryName}::text IS NULL OR l."Name" = {libraryName})
              AND ({version}::text IS NULL OR c."Version" = {version})
            ORDER BY "Score" DESC, c."ChunkId"
            LIMIT {limit}
            """).ToListAsync(cancellationToken);

        return TypedResults.Ok(new SearchResponse(query, hits));
    }
}
