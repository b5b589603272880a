using DocAIche.ServiceDefaults.Data;
using System.Text.RegularExpressions;
using DocAIche.Contracts.Documents;
using DocAIche.Documents.Infrastructure;
using DocAIche.Documents.Model;
using DocAIche.Documents.Quotas;
using DocAIche.ServiceDefaults.Auditing;
using DocAIche.ServiceDefaults.Authentication;
using DocAIche.ServiceDefaults.Messaging;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace DocAIche.Documents.Apis;

/// <summary>A library to create.</summary>
/// <param name="Name">Lower-case letters, digits, '.', '-', '_'; unique in the tenant.</param>
/// <param name="Description">What it is, up to 2,000 characters.</param>
/// <param name="Shared">Readable by every tenant (admins and owners only).</param>
/// <param name="Versions">Versions to create with it; the first becomes the default.</param>
public sealed record CreateLibraryRequest(string? Name, string? Description, bool Shared = false, IReadOnlyList<string>? Versions = null);

/// <summary>Changes to a library; absent fields stay as they are.</summary>
/// <param name="Description">New description.</param>
/// <param name="Shared">Share with every tenant or stop sharing (admins and owners only).</param>
/// <param name="DefaultVersion">One of its versions.</param>
public sealed record UpdateLibraryRequest(string? Description = null, bool? Shared = null, string? DefaultVersion = null);

/// <summary>A version to add.</summary>
/// <param name="Name">For example <c>15.4</c>, <c>v3</c> or <c>latest</c>.</param>
public sealed record CreateVersionRequest(string? Name);

public static partial class LibrariesApi
{
    public static IEndpointRouteBuilder MapLibrariesApi(this IEndpointRouteBuilder app)
    {
        var libraries = app.MapGroup("/api/v1/libraries").WithTags("Libraries");

        libraries.MapPost("/", CreateLibraryAsync).WithName("CreateLibrary").WithSummary("Create a library")
            .RequireAuthorization(DocAIchePolicies.Edit);
        libraries.MapGet("/", ListLibrariesAsync).WithName("ListLibraries")
            .WithSummary("List the tenant's libraries and the libraries other tenants share").RequireAuthorization(DocAIchePolicies.Read);
        libraries.MapGet("/{id:guid}", GetLibraryAsync).WithName("GetLibrary").WithSummary("Get a library").RequireAuthorization(DocAIchePolicies.Read);
        libraries.MapPatch("/{id:guid}", UpdateLibraryAsync).WithName("UpdateLibrary").WithSummary("Change a library's description, sharing or default version")
            .RequireAuthorization(DocAIchePolicies.Edit);
        libraries.MapDelete("/{id:guid}", DeleteLibraryAsync).WithName("DeleteLibrary")
            .WithSummary("Delete a library with its versions, sources and documents").RequireAuthorization(DocAIchePolicies.Administer);
        libraries.MapPost("/{id:guid}/versions", CreateVersionAsync).WithName("CreateLibraryVersion").WithSummary("Add a version")
            .RequireAuthorization(DocAIchePolicies.Edit);
        libraries.MapDelete("/{id:guid}/versions/{version}", DeleteVersionAsync).WithName("DeleteLibraryVersion")
            .WithSummary("Delete a version with its sources and documents").RequireAuthorization(DocAIchePolicies.Edit);

        return app;
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9._-]{0,99}$")]
    private static partial Regex LibraryName();

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._+-]{0,63}$")]
    private static partial Regex VersionName();

    internal static string? VersionProblem(string? name) =>
        name is not null && VersionName().IsMatch(name) ? null : "A version is 1 to 64 letters, digits, '.', '_', '+' or '-', starting with a letter or digit.";

    private static bool MayShare(HttpContext http) => http.User.IsInRole(DocAIcheRoles.Admin) || http.User.IsInRole(DocAIcheRoles.Owner);

    internal static async Task<Results<Created<LibraryResponse>, ValidationProblem, ProblemHttpResult, ForbidHttpResult>> CreateLibraryAsync(
        CreateLibraryRequest request, HttpContext http, DocumentsDbContext db, DocumentQuotas quotas, TimeProvider time, CancellationToken cancellationToken)
    {
        var name = request.Name?.Trim().ToLowerInvariant();
        var errors = new Dictionary<string, string[]>();
        if (name is null || !LibraryName().IsMatch(name))
        {
            errors["name"] = ["A name is 1 to 100 lower-case letters, digits, '.', '-' or '_', starting with a letter or digit."];
        }
        if (request.Description is { Length: > Library.DescriptionMaxLength })
        {
            errors["description"] = [$"The description is longer than {Library.DescriptionMaxLength} characters."];
        }
        var versions = (request.Versions ?? []).Select(v => v?.Trim()).ToList();
        if (versions.Count > 100 || versions.Any(v => VersionProblem(v) is not null) || versions.Distinct(StringComparer.Ordinal).Count() != versions.Count)
        {
            errors["versions"] = ["Versions are distinct, at most 100, each " + VersionProblem(null)![2..]];
        }
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }
        if (request.Shared && !MayShare(http))
        {
            return TypedResults.Forbid();
        }

        var tenant = http.User.GetTenantId();
        if (await db.Libraries.AnyAsync(l => l.Name == name, cancellationToken))
        {
            return Problems.Conflict("Library exists", $"The tenant already has a library named '{name}'.");
        }
        if (await quotas.ChargeLibraryAsync(tenant, cancellationToken) is { } full)
        {
            return full;
        }

        var now = time.GetUtcNow();
        var library = new Library
        {
            Id = Guid.CreateVersion7(now),
            TenantId = tenant,
            Name = name!,
            Description = string.IsNullOrWhiteSpace(request.Description) ? null : request.Description.Trim(),
            Shared = request.Shared,
            DefaultVersion = versions.FirstOrDefault(),
            CreatedBy = http.User.GetSubject(),
            CreatedAt = now,
            UpdatedAt = now,
        };
        foreach (var version in versions)
        {
            library.Versions.Add(new LibraryVersion { Id = Guid.CreateVersion7(now), TenantId = tenant, Name = version!, CreatedAt = now });
        }
        db.Libraries.Add(library);
        Announce(db, library, "created", http, time);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            return Problems.Conflict("Library exists", $"The tenant already has a library named '{name}'.");
        }
        return TypedResults.Created($"/api/v1/libraries/{library.Id}", LibraryResponse.From(library, tenant));
    }

    internal static async Task<Results<Ok<Page<LibraryResponse>>, ValidationProblem>> ListLibrariesAsync(
        HttpContext http, DocumentsDbContext db, CancellationToken cancellationToken, string? cursor = null, int limit = 50)
    {
        if (!Problems.TryCursor(cursor, out var after))
        {
            return TypedResults.ValidationProblem(Problems.One("cursor", "The cursor is not one this API returned."));
        }
        if (limit is < 1 or > 200)
        {
            return TypedResults.ValidationProblem(Problems.One("limit", "The limit must be between 1 and 200."));
        }
        var tenant = http.User.GetTenantId();
        // Across tenants, then narrowed by hand: the caller's own libraries and every tenant's shared ones.
        var query = db.Libraries.AsNoTracking().AcrossTenants().Include(l => l.Versions).Where(l => l.TenantId == tenant || l.Shared);
        if (after is { } last)
        {
            query = query.Where(l => l.Id > last);
        }
        var page = await query.OrderBy(l => l.Id).Take(limit + 1).AsSplitQuery().ToListAsync(cancellationToken);
        var items = page.Take(limit).Select(l => LibraryResponse.From(l, tenant)).ToList();
        return TypedResults.Ok(new Page<LibraryResponse>(items, page.Count > limit ? items[^1].Id.ToString() : null));
    }

    internal static async Task<Results<Ok<LibraryResponse>, NotFound>> GetLibraryAsync(
        Guid id, HttpContext http, DocumentsDbContext db, CancellationToken cancellationToken)
    {
        var tenant = http.User.GetTenantId();
        // Across tenants, then narrowed by hand: a shared library is readable by every tenant.
        var library = await db.Libraries.AsNoTracking().AcrossTenants().Include(l => l.Versions)
            .SingleOrDefaultAsync(l => l.Id == id && (l.TenantId == tenant || l.Shared), cancellationToken);
        return library is null ? TypedResults.NotFound() : TypedResults.Ok(LibraryResponse.From(library, tenant));
    }

    internal static async Task<Results<Ok<LibraryResponse>, NotFound, ValidationProblem, ForbidHttpResult>> UpdateLibraryAsync(
        Guid id, UpdateLibraryRequest request, HttpContext http, DocumentsDbContext db, TimeProvider time, CancellationToken cancellationToken)
    {
        var tenant = http.User.GetTenantId();
        var library = await db.Libraries.Include(l => l.Versions).SingleOrDefaultAsync(l => l.Id == id, cancellationToken);
        if (library is null)
        {
            return TypedResults.NotFound();
        }
        if (request.Description is { Length: > Library.DescriptionMaxLength })
        {
            return TypedResults.ValidationProblem(Problems.One("description", $"The description is longer than {Library.DescriptionMaxLength} characters."));
        }
        if (request.DefaultVersion is { } defaultVersion && library.Versions.All(v => v.Name != defaultVersion))
        {
            return TypedResults.ValidationProblem(Problems.One("defaultVersion", "The default version must be one of the library's versions."));
        }
        if (request.Shared is { } shared && shared != library.Shared && !MayShare(http))
        {
            return TypedResults.Forbid();
        }

        if (request.Description is not null)
        {
            library.Description = string.IsNullOrWhiteSpace(request.Description) ? null : request.Description.Trim();
        }
        library.Shared = request.Shared ?? library.Shared;
        library.DefaultVersion = request.DefaultVersion ?? library.DefaultVersion;
        library.UpdatedAt = time.GetUtcNow();
        Announce(db, library, "updated", http, time);
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(LibraryResponse.From(library, tenant));
    }

    internal static async Task<Results<NoContent, NotFound, ProblemHttpResult>> DeleteLibraryAsync(
        Guid id, HttpContext http, DocumentsDbContext db, TimeProvider time, CancellationToken cancellationToken)
    {
        var tenant = http.User.GetTenantId();
        var library = await db.Libraries.Include(l => l.Versions).SingleOrDefaultAsync(l => l.Id == id, cancellationToken);
        if (library is null)
        {
            return TypedResults.NotFound();
        }
        var versionIds = library.Versions.Select(v => v.Id).ToList();
        if (await HasActiveJobsAsync(db, versionIds, cancellationToken))
        {
            return Problems.Conflict("Jobs running", "The library has queued or running ingestion jobs; cancel them first.");
        }
        // Cascades to versions, sources, jobs, documents and chunks; search drops the library from one event.
        library.Versions.Clear();
        db.Libraries.Remove(library);
        Announce(db, library, "deleted", http, time);
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.NoContent();
    }

    internal static async Task<Results<Created<LibraryResponse>, NotFound, ValidationProblem, ProblemHttpResult>> CreateVersionAsync(
        Guid id, CreateVersionRequest request, HttpContext http, DocumentsDbContext db, TimeProvider time, CancellationToken cancellationToken)
    {
        var name = request.Name?.Trim();
        if (VersionProblem(name) is { } problem)
        {
            return TypedResults.ValidationProblem(Problems.One("name", problem));
        }
        var tenant = http.User.GetTenantId();
        var library = await db.Libraries.Include(l => l.Versions).SingleOrDefaultAsync(l => l.Id == id, cancellationToken);
        if (library is null)
        {
            return TypedResults.NotFound();
        }
        if (library.Versions.Any(v => v.Name == name))
        {
            return Problems.Conflict("Version exists", $"The library already has version '{name}'.");
        }
        var now = time.GetUtcNow();
        // Added explicitly: a new entity with its key already set, only reached through a tracked parent,
        // would be taken for an existing row and updated (nothing to update: the request failed as a conflict).
        var added = new LibraryVersion { Id = Guid.CreateVersion7(now), TenantId = tenant, Name = name!, CreatedAt = now };
        db.LibraryVersions.Add(added);
        library.Versions.Add(added);
        library.DefaultVersion ??= name;
        library.UpdatedAt = now;
        Announce(db, library, "version-added", http, time);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            return Problems.Conflict("Version exists", $"The library already has version '{name}'.");
        }
        return TypedResults.Created($"/api/v1/libraries/{library.Id}", LibraryResponse.From(library, tenant));
    }

    internal static async Task<Results<NoContent, NotFound, ProblemHttpResult>> DeleteVersionAsync(
        Guid id, string version, HttpContext http, DocumentsDbContext db, TimeProvider time, CancellationToken cancellationToken)
    {
        var tenant = http.User.GetTenantId();
        var library = await db.Libraries.Include(l => l.Versions).SingleOrDefaultAsync(l => l.Id == id, cancellationToken);
        var doomed = library?.Versions.SingleOrDefault(v => v.Name == version);
        if (library is null || doomed is null)
        {
            return TypedResults.NotFound();
        }
        if (await HasActiveJobsAsync(db, [doomed.Id], cancellationToken))
        {
            return Problems.Conflict("Jobs running", "The version has queued or running ingestion jobs; cancel them first.");
        }
        library.Versions.Remove(doomed);
        db.LibraryVersions.Remove(doomed);
        if (library.DefaultVersion == version)
        {
            library.DefaultVersion = library.Versions.OrderByDescending(v => v.CreatedAt).FirstOrDefault()?.Name;
        }
        library.UpdatedAt = time.GetUtcNow();
        Announce(db, library, "version-deleted", http, time);
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.NoContent();
    }

    private static Task<bool> HasActiveJobsAsync(DocumentsDbContext db, List<Guid> versionIds, CancellationToken cancellationToken) =>
        db.IngestionJobs.AnyAsync(j => versionIds.Contains(j.Source.LibraryVersionId) &&
            (j.State == IngestionJobState.Queued || j.State == IngestionJobState.Running), cancellationToken);

    private static void Announce(DocumentsDbContext db, Library library, string change, HttpContext http, TimeProvider time, string? version = null)
    {
        db.AddIntegrationEvent(new LibraryChanged(
            library.Id, library.TenantId, library.Name, library.Description, library.Shared, library.DefaultVersion,
            library.Versions.OrderBy(v => v.CreatedAt).Select(v => v.Name).ToList(), change, http.User.GetSubject(), time.GetUtcNow()), time);
        var details = new Dictionary<string, string> { ["name"] = library.Name, ["shared"] = library.Shared ? "true" : "false" };
        if (version is not null)
        {
            details["version"] = version;
        }
        db.AddAuditEvent(http, time, change switch
        {
            "version-added" => "library.version_added",
            "version-deleted" => "library.version_deleted",
            _ => $"library.{change}",
        }, "library", library.Id.ToString(), details: details);
    }
}
