using DocAIche.ServiceDefaults.Authentication;
using DocAIche.Search.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace DocAIche.Search.Apis;

/// <summary>One document that matches a search.</summary>
public sealed record SearchHit(Guid DocumentId, string Title, string? SourceUrl, string Snippet, double Score);

/// <summary>The documents that match <c>query</c>, best first.</summary>
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
            .WithSummary("Full-text search over the tenant's documents")
            .WithDescription("Web-search syntax: words, \"quoted phrases\", OR, and -excluded words. Matched terms are marked with <mark> in snippets.")
            .RequireAuthorization(DocAIchePolicies.Read);

        return app;
    }

    internal static async Task<Results<Ok<SearchResponse>, ValidationProblem>> SearchAsync(
        HttpContext http, SearchDbContext db, CancellationToken cancellationToken, string? q = null, int limit = 10)
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
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var query = q!.Trim();
        var tenant = http.User.GetTenantId();
        // Parameterised: EF turns each interpolated value into a parameter.
        var hits = await db.Database.SqlQuery<SearchHit>($"""
            SELECT d."DocumentId", d."Title", d."SourceUrl",
                   ts_headline('english', d."Content", query,
                               'StartSel=<mark>, StopSel=</mark>, MaxFragments=2, MaxWords=30, MinWords=8') AS "Snippet",
                   ts_rank_cd(d."SearchVector", query)::float8 AS "Score"
            FROM indexed_documents AS d, websearch_to_tsquery('english', {query}) AS query
            WHERE d."TenantId" = {tenant} AND d."SearchVector" @@ query
            ORDER BY "Score" DESC, d."DocumentId"
            LIMIT {limit}
            """).ToListAsync(cancellationToken);

        return TypedResults.Ok(new SearchResponse(query, hits));
    }
}
