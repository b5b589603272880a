using System.Security.Cryptography;
using System.Text;
using DocAIche.Contracts.Documents;
using DocAIche.Documents.Infrastructure;
using DocAIche.Documents.Model;
using DocAIche.ServiceDefaults.Authentication;
using DocAIche.ServiceDefaults.Messaging;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace DocAIche.Documents.Apis;

/// <summary>A document to store.</summary>
/// <param name="Title">Title, up to 300 characters.</param>
/// <param name="Content">Markdown text, up to 1,000,000 characters.</param>
/// <param name="SourceUrl">Optional absolute http(s) URL the document came from.</param>
public sealed record StoreDocumentRequest(string? Title, string? Content, string? SourceUrl);

/// <summary>A stored document; <c>content</c> is left out of lists.</summary>
public sealed record DocumentResponse(
    Guid Id,
    string Title,
    string? SourceUrl,
    string ContentHash,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    string? Content);

/// <summary>One page of documents; pass <c>nextCursor</c> as <c>cursor</c> for the next.</summary>
public sealed record DocumentPage(IReadOnlyList<DocumentResponse> Items, string? NextCursor);

public static class DocumentsApi
{
    private const int DefaultPageSize = 20;
    private const int MaxPageSize = 100;

    public static IEndpointRouteBuilder MapDocumentsApi(this IEndpointRouteBuilder app)
    {
        var documents = app.MapGroup("/api/v1/documents").WithTags("Documents");

        documents.MapPost("/", StoreDocumentAsync)
            .WithName("StoreDocument")
            .WithSummary("Store a document")
            .WithDescription("Stores the document and queues it for indexing and the audit trail in the same transaction.")
            .WithMetadata(new Microsoft.AspNetCore.Mvc.RequestSizeLimitAttribute(8 * 1024 * 1024))
            .RequireAuthorization(DocAIchePolicies.Edit);

        documents.MapGet("/{id:guid}", GetDocumentAsync)
            .WithName("GetDocument")
            .WithSummary("Get a document with its content")
            .RequireAuthorization(DocAIchePolicies.Read);

        documents.MapGet("/", ListDocumentsAsync)
            .WithName("ListDocuments")
            .WithSummary("List documents, newest last, a page at a time")
            .RequireAuthorization(DocAIchePolicies.Read);

        return app;
    }

    internal static async Task<Results<Created<DocumentResponse>, ValidationProblem>> StoreDocumentAsync(
        StoreDocumentRequest request, HttpContext http, DocumentsDbContext db, TimeProvider time, CancellationToken cancellationToken)
    {
        var errors = Validate(request);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var now = time.GetUtcNow();
        var content = request.Content!;
        var document = new Document
        {
            Id = Guid.CreateVersion7(now),
            TenantId = http.User.GetTenantId(),
            Title = request.Title!.Trim(),
            Content = content,
            SourceUrl = string.IsNullOrWhiteSpace(request.SourceUrl) ? null : request.SourceUrl.Trim(),
            ContentHash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(content))),
            CreatedAt = now,
            UpdatedAt = now,
        };
        db.Documents.Add(document);
        db.AddIntegrationEvent(new DocumentStored(
            document.Id, document.TenantId, document.Title, document.Content, document.SourceUrl, document.ContentHash, now), time);
        await db.SaveChangesAsync(cancellationToken);

        return TypedResults.Created($"/api/v1/documents/{document.Id}", ToResponse(document, includeContent: false));
    }

    internal static async Task<Results<Ok<DocumentResponse>, NotFound>> GetDocumentAsync(
        Guid id, HttpContext http, DocumentsDbContext db, CancellationToken cancellationToken)
    {
        var tenant = http.User.GetTenantId();
        var document = await db.Documents.AsNoTracking()
            .SingleOrDefaultAsync(d => d.TenantId == tenant && d.Id == id, cancellationToken);
        return document is null ? TypedResults.NotFound() : TypedResults.Ok(ToResponse(document, includeContent: true));
    }

    internal static async Task<Results<Ok<DocumentPage>, ValidationProblem>> ListDocumentsAsync(
        HttpContext http, DocumentsDbContext db, CancellationToken cancellationToken, string? cursor = null, int limit = DefaultPageSize)
    {
        Guid? after = null;
        if (!string.IsNullOrEmpty(cursor))
        {
            if (!Guid.TryParse(cursor, out var parsed))
            {
                return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["cursor"] = ["The cursor is not one this API returned."] });
            }
            after = parsed;
        }
        if (limit is < 1 or > MaxPageSize)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["limit"] = [$"The limit must be between 1 and {MaxPageSize}."] });
        }

        var tenant = http.User.GetTenantId();
        var query = db.Documents.AsNoTracking().Where(d => d.TenantId == tenant);
        if (after is { } last)
        {
            query = query.Where(d => d.Id > last);
        }
        var page = await query.OrderBy(d => d.Id).Take(limit + 1).ToListAsync(cancellationToken);
        var items = page.Take(limit).Select(d => ToResponse(d, includeContent: false)).ToList();
        return TypedResults.Ok(new DocumentPage(items, page.Count > limit ? items[^1].Id.ToString() : null));
    }

    private static Dictionary<string, string[]> Validate(StoreDocumentRequest request)
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(request.Title))
        {
            errors["title"] = ["A title is required."];
        }
        else if (request.Title.Trim().Length > Document.TitleMaxLength)
        {
            errors["title"] = [$"The title is longer than {Document.TitleMaxLength} characters."];
        }

        if (string.IsNullOrWhiteSpace(request.Content))
        {
            errors["content"] = ["Content is required."];
        }
        else if (request.Content.Length > Document.ContentMaxLength)
        {
            errors["content"] = [$"The content is longer than {Document.ContentMaxLength} characters."];
        }

        if (!string.IsNullOrWhiteSpace(request.SourceUrl))
        {
            var url = request.SourceUrl.Trim();
            if (url.Length > Document.SourceUrlMaxLength ||
                !Uri.TryCreate(url, UriKind.Absolute, out var uri) ||
                (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            {
                errors["sourceUrl"] = ["The source URL must be an absolute http or https URL of at most 2048 characters."];
            }
        }
        return errors;
    }

    private static DocumentResponse ToResponse(Document document, bool includeContent) => new(
        document.Id, document.Title, document.SourceUrl, document.ContentHash, document.CreatedAt, document.UpdatedAt,
        includeContent ? document.Content : null);
}
