using DocAIche.Contracts.Documents;
using DocAIche.Documents.Chunking;
using DocAIche.Documents.Infrastructure;
using DocAIche.Documents.Model;
using DocAIche.Documents.Quotas;
using DocAIche.ServiceDefaults.Messaging;
using Microsoft.EntityFrameworkCore;

namespace DocAIche.Documents.Ingestion;

/// <summary>The library version a document is written into, with what its events need to say.</summary>
internal sealed record VersionTarget(string TenantId, Guid LibraryId, string Library, bool Shared, Guid VersionId, string Version)
{
    public static async Task<VersionTarget?> LoadAsync(DocumentsDbContext db, Guid versionId, CancellationToken cancellationToken) =>
        await db.LibraryVersions.AsNoTracking()
            .Where(v => v.Id == versionId)
            .Select(v => new VersionTarget(v.TenantId, v.LibraryId, v.Library.Name, v.Library.Shared, v.Id, v.Name))
            .SingleOrDefaultAsync(cancellationToken);
}

/// <summary>A document's new content, normalised.</summary>
internal sealed record DocumentContent(
    string Key, string Title, string Markdown, string ContentHash, string? Url, string? ETag = null, string? LastModified = null, List<string>? Links = null);

internal enum WriteOutcome
{
    Created,
    Updated,
    Unchanged,
}

/// <summary>
/// Writes documents and their chunks, and queues the events that tell search about them, in the
/// caller's unit of work. The one place where stored documentation changes, so the one place where
/// the documents and storage quotas are held (a write past them throws <see cref="QuotaExceededException"/>
/// before changing anything).
/// </summary>
internal sealed class DocumentWriter(DocumentsDbContext db, MarkdownChunker chunker, DocumentQuotas quotas, TimeProvider time)
{
    /// <summary>Events stay well below the broker's frame and the consumers' comfort: bigger documents are split.</summary>
    internal const int MaxEventCharacters = 256 * 1024;

    public async Task<(WriteOutcome Outcome, Document Document)> WriteAsync(
        VersionTarget target, Guid sourceId, DocumentContent content, CancellationToken cancellationToken) =>
        await WriteAsync(target, sourceId, content,
            await db.Documents.SingleOrDefaultAsync(d => d.SourceId == sourceId && d.Key == content.Key, cancellationToken), cancellationToken);

    /// <summary>As above, with the stored document (tracked, or null when there is none) already loaded by the caller.</summary>
    public async Task<(WriteOutcome Outcome, Document Document)> WriteAsync(
        VersionTarget target, Guid sourceId, DocumentContent content, Document? document, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (document is not null && document.ContentHash == content.ContentHash && document.Title == content.Title && document.SourceUrl == content.Url)
        {
            document.ETag = content.ETag;
            document.LastModified = content.LastModified;
            document.Links = content.Links ?? document.Links;
            return (WriteOutcome.Unchanged, document);
        }

        await quotas.ChargeAsync(target.TenantId, document is null ? 1 : 0,
            DocumentQuotas.BytesOf(content.Markdown) - DocumentQuotas.BytesOf(document?.Content), cancellationToken);
        var outcome = WriteOutcome.Updated;
        if (document is null)
        {
            outcome = WriteOutcome.Created;
            document = new Document
            {
                Id = Guid.CreateVersion7(now),
                TenantId = target.TenantId,
                LibraryId = target.LibraryId,
                LibraryVersionId = target.VersionId,
                SourceId = sourceId,
                Key = content.Key,
                Title = content.Title,
                Content = content.Markdown,
                ContentHash = content.ContentHash,
                CreatedAt = now,
            };
            db.Documents.Add(document);
        }
        else
        {
            await db.Chunks.Where(c => c.DocumentId == document.Id).ExecuteDeleteAsync(cancellationToken);
        }

        document.Title = content.Title;
        document.Content = content.Markdown;
        document.ContentHash = content.ContentHash;
        document.SourceUrl = content.Url;
        document.ETag = content.ETag;
        document.LastModified = content.LastModified;
        document.Links = content.Links;
        document.UpdatedAt = now;
        document.Revision++;

        var url = Uri.TryCreate(content.Url, UriKind.Absolute, out var parsed) ? parsed : null;
        var chunks = chunker.Chunk(content.Markdown, content.Title, url)
            .Select(draft => new Chunk
            {
                Id = Guid.CreateVersion7(now),
                DocumentId = document.Id,
                TenantId = target.TenantId,
                Ordinal = draft.Ordinal,
                Breadcrumb = draft.Breadcrumb,
                Url = draft.Url,
                Languages = [.. draft.Languages],
                Content = draft.Content,
                ContentHash = draft.ContentHash,
            })
            .ToList();
        db.Chunks.AddRange(chunks);

        foreach (var message in ChangeEvents(target, document, chunks, now))
        {
            db.AddIntegrationEvent(message, time);
        }
        return (outcome, document);
    }

    /// <summary>The unit of work starts again (a transient failure rolled it back): the quota count is read again.</summary>
    public void StartOver() => quotas.Forget();

    /// <summary>Removes the documents <paramref name="which"/> selects, a batch at a time, telling search about each; returns how many.</summary>
    public async Task<int> RemoveAsync(VersionTarget target, IQueryable<Document> which, CancellationToken cancellationToken)
    {
        var removed = 0;
        while (true)
        {
            var batch = await which.OrderBy(d => d.Id).Select(d => new { d.Id, d.Revision }).Take(500).ToListAsync(cancellationToken);
            if (batch.Count == 0)
            {
                // What the tenant holds is counted again at its next write.
                quotas.Forget();
                return removed;
            }
            var ids = batch.Select(d => d.Id).ToList();
            await db.Documents.Where(d => ids.Contains(d.Id)).ExecuteDeleteAsync(cancellationToken);
            var now = time.GetUtcNow();
            foreach (var document in batch)
            {
                db.AddIntegrationEvent(new DocumentRemoved(document.Id, target.TenantId, target.LibraryId, target.Version, document.Revision, now), time);
            }
            await db.SaveChangesAsync(cancellationToken);
            db.ChangeTracker.Clear();
            removed += batch.Count;
        }
    }

    internal static IEnumerable<DocumentChanged> ChangeEvents(VersionTarget target, Document document, IReadOnlyList<Chunk> chunks, DateTimeOffset now)
    {
        var parts = new List<List<DocumentChunk>>();
        var current = new List<DocumentChunk>();
        var size = 0;
        foreach (var chunk in chunks)
        {
            var length = chunk.Content.Length + chunk.Breadcrumb.Length + (chunk.Url?.Length ?? 0);
            if (current.Count > 0 && size + length > MaxEventCharacters)
            {
                parts.Add(current);
                current = [];
                size = 0;
            }
            current.Add(new DocumentChunk(chunk.Id, chunk.Ordinal, chunk.Breadcrumb, chunk.Url, chunk.Languages, chunk.Content, chunk.ContentHash));
            size += length;
        }
        parts.Add(current);

        var ids = chunks.Select(c => c.Id).ToList();
        for (var i = 0; i < parts.Count; i++)
        {
            yield return new DocumentChanged(
                document.Id, target.TenantId, target.LibraryId, target.Library, target.Version, target.Shared,
                document.Title, document.SourceUrl, document.ContentHash, document.Revision,
                i + 1, parts.Count, ids, parts[i], now);
        }
    }
}
