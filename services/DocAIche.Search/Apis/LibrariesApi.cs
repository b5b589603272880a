using DocAIche.Search.Searching;
using DocAIche.ServiceDefaults.Authentication;
using Microsoft.AspNetCore.Http.HttpResults;

namespace DocAIche.Search.Apis;

/// <summary>The libraries that match a name, best first.</summary>
public sealed record ResolveResponse(string Name, IReadOnlyList<ResolvedLibrary> Libraries);

public static class LibrariesApi
{
    private const int MaxNameLength = 100;

    public static IEndpointRouteBuilder MapLibrariesApi(this IEndpointRouteBuilder app)
    {
        var libraries = app.MapGroup("/api/v1/libraries").WithTags("Libraries").RequireAuthorization(DocAIchePolicies.Read);

        libraries.MapGet("/resolve", ResolveAsync)
            .WithName("ResolveLibrary")
            .WithSummary("Find libraries by name (fuzzy) and list their versions")
            .WithDescription("Matches the tenant's libraries and shared ones; typos, separators and case do not matter. Use a result's libraryId or name with a version to search.");

        return app;
    }

    internal static async Task<Results<Ok<ResolveResponse>, ValidationProblem>> ResolveAsync(
        HttpContext http, LibraryCatalog catalog, CancellationToken cancellationToken, string? name = null, int limit = 10)
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(name))
        {
            errors["name"] = ["A name is required."];
        }
        else if (name.Length > MaxNameLength)
        {
            errors["name"] = [$"A name is at most {MaxNameLength} characters."];
        }
        if (limit is < 1 or > 50)
        {
            errors["limit"] = ["The limit must be between 1 and 50."];
        }
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }
        var tenant = http.User.GetTenantId();
        var view = await catalog.VisibleAsync(tenant, cancellationToken);
        return TypedResults.Ok(new ResolveResponse(name!.Trim(), LibraryResolver.Resolve(tenant, view.Libraries, name, limit)));
    }
}
