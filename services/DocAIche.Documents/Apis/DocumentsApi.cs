using DocAIche.ServiceDefaults.Data;
using DocAIche.Documents.Infrastructure;
using DocAIche.Documents.Model;
using DocAIche.ServiceDefaults.Authentication;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace DocAIche.Documents.Apis;

public static class DocumentsApi
{
    public static IEndpointRouteBuilder MapDocumentsApi(this IEndpointRouteBuilder app)
    {
        var documents = app.MapGroup("/api/v1/documents").WithTags("Documents");

        documents.MapGet("/", ListDocumentsAsync).WithName("ListDocuments")
            .WithSummary("List documents, of one library version or of the whole tenant, a page at a time").RequireAuthorization(DocAIchePolicies.Read);
        documents.MapGet("/{id:guid}", GetDocumentAsync).WithName("GetDocument").WithSummary("Get a document with its Markdown")
            .RequireAuthorization(DocAIchePolicies.Read);
        documents.MapGet("/{id:guid}/chunks", ListChunksAsync).WithName("ListDocumentChunks").WithSummary("The document's chunks, in order")
            .RequireAuthorization(DocAIchePolicies.Read);
        return app;
    }

    /// <summary>Documents the caller may read: its tenant's, and those of libraries other tenants share.</summary>
    // Across tenants, then narrowed by hand: the caller's documents and those of every tenant's shared libraries.
    private static IQueryable<Document> Readable(DocumentsDbContext db, string tenant) =>
        db.Documents.AsNoTracking().AcrossTenants().Where(d => d.TenantId == tenant || db.Libraries.AcrossTenants().Any(l => l.Id == d.LibraryId && l.Shared));

    internal static async Task<Results<Ok<Page<DocumentResponse>>, ValidationProblem, NotFound>> ListDocumentsAsync(
        HttpContext http, DocumentsDbContext db, CancellationToken cancellationToken,
        Guid? libraryId = null, string? version = null, string? cursor = null, int limit = 20)
    {
        if (!Problems.TryCursor(cursor, out var after))
        {
            return TypedResults.ValidationProblem(Problems.One("cursor", "The cursor is not one this API returned."));
        }
        if (limit is < 1 or > 100)
        {
            return TypedResults.ValidationProblem(Problems.One("limit", "The limit must be between 1 and 100."));
        }
        if (version is not null && libraryId is null)
        {
            return TypedResults.ValidationProblem(Problems.One("version", "A version is given with its libraryId."));
        }

        var tenant = http.User.GetTenantId();
        IQueryable<Document> query;
        if (libraryId is { } library)
        {
            // A library the caller cannot see is not there, whatever else the request says: the answer
            // must not depend on what exists in another tenant.
            if (!await db.Libraries.AcrossTenants().AnyAsync(l => l.Id == library && (l.TenantId == tenant || l.Shared), cancellationToken))
            {
                return TypedResults.NotFound();
            }
            query = Readable(db, tenant).Where(d => d.LibraryId == library);
            if (version is not null)
            {
                var versionId = await db.LibraryVersions.AcrossTenants().Where(v => v.LibraryId == library && v.Name == version).Select(v => (Guid?)v.Id)
                    .SingleOrDefaultAsync(cancellationToken);
                if (versionId is null)
                {
                    return TypedResults.NotFound();
                }
                query = query.Where(d => d.LibraryVersionId == versionId);
            }
        }
        else
        {
            query = db.Documents.AsNoTracking();
        }
        if (after is { } last)
        {
            query = query.Where(d => d.Id > last);
        }
        var page = await query.OrderBy(d => d.Id).Take(limit + 1)
            .Select(d => new Document
            {
                Id = d.Id, TenantId = d.TenantId, LibraryId = d.LibraryId, LibraryVersionId = d.LibraryVersionId, SourceId = d.SourceId, Key = d.Key,
                Title = d.Title, Content = "", SourceUrl = d.SourceUrl, ContentHash = d.ContentHash, Revision = d.Revision,
                CreatedAt = d.CreatedAt, UpdatedAt = d.UpdatedAt,
            })
            .ToListAsync(cancellationToken);
        var items = page.Take(limit).Select(d => DocumentResponse.From(d, includeContent: false)).ToList();
        return TypedResults.Ok(new Page<DocumentResponse>(items, page.Count > limit ? items[^1].Id.ToString() : null));
    }

    internal static async Task<Results<Ok<DocumentResponse>, NotFound>> GetDocumentAsync(
        Guid id, HttpContext http, DocumentsDbContext db, CancellationToken cancellationToken)
    {
        var document = await Readable(db, http.User.GetTenantId()).SingleOrDefaultAsync(d => d.Id == id, cancellationToken);
        return document is null ? TypedResults.NotFound() : TypedResults.Ok(DocumentResponse.From(document, includeContent: true));
    }

    internal static async Task<Results<Ok<IReadOnlyList<ChunkResponse>>, NotFound>> ListChunksAsync(
        Guid id, HttpContext http, DocumentsDbContext db, CancellationToken cancellationToken)
    {
        if (!await Readable(db, http.User.GetTenantId()).AnyAsync(d => d.Id == id, cancellationToken))
        {
            return TypedResults.NotFound();
        }
        // Readable was checked above; a shared library's chunks belong to another tenant.
        IReadOnlyList<ChunkResponse> chunks = await db.Chunks.AsNoTracking().AcrossTenants().Where(c => c.DocumentId == id).OrderBy(c => c.Ordinal)
            .Select(c => new ChunkResponse(c.Id, c.Ordinal, c.Breadcrumb, c.Url, c.Languages, c.Content, c.ContentHash))
            .ToListAsync(cancellationToken);
        return TypedResults.Ok(chunks);
    }
}
