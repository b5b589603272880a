using DocAIche.Contracts.Documents;
using DocAIche.Contracts.Search;
using DocAIche.Search.Embeddings;
using DocAIche.Search.Infrastructure;
using DocAIche.Search.Model;
using DocAIche.Search.Searching;
using DocAIche.ServiceDefaults.Messaging;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace DocAIche.Search.IntegrationEvents.EventHandling;

/// <summary>
/// Indexes a document revision's chunks (one part at a time) and retires the chunks the revision no
/// longer has. Older revisions than the index holds are ignored, so events may arrive in any order.
/// </summary>
public sealed class DocumentChangedConsumer(
    SearchDbContext db, EmbeddingSignal embedding, SearchMetrics metrics, ILogger<DocumentChangedConsumer> logger, TimeProvider time)
    : InboxConsumer<DocumentChanged, SearchDbContext>(db, logger, time)
{
    protected override async Task HandleAsync(ConsumeContext<DocumentChanged> context, CancellationToken cancellationToken)
    {
        var changed = context.Message;
        var document = await Db.IndexedDocuments.SingleOrDefaultAsync(d => d.DocumentId == changed.DocumentId, cancellationToken);
        if (document is not null && (document.TenantId != changed.TenantId || document.Revision > changed.Revision ||
            (document.Revision == changed.Revision && document.Removed)))
        {
            return;
        }
        if (document is null)
        {
            document = new IndexedDocument { DocumentId = changed.DocumentId, TenantId = changed.TenantId, LibraryId = changed.LibraryId };
            Db.IndexedDocuments.Add(document);
        }
        document.Revision = changed.Revision;
        document.Removed = false;

        // Known libraries are kept by LibraryChanged; this covers a document arriving first.
        var library = await Db.IndexedLibraries.SingleOrDefaultAsync(l => l.LibraryId == changed.LibraryId, cancellationToken);
        if (library is { Deleted: true })
        {
            return; // a late event of a library that is gone
        }
        if (library is null)
        {
            library = new IndexedLibrary
            {
                LibraryId = changed.LibraryId, TenantId = changed.TenantId, Name = changed.Library, Shared = changed.Shared,
                Versions = [changed.Version], DefaultVersion = changed.Version, ChangedAt = DateTimeOffset.MinValue,
            };
            Db.IndexedLibraries.Add(library);
        }
        library.Generation++;

        var keep = changed.ChunkIds.ToList();
        await Db.IndexedChunks.Where(c => c.DocumentId == changed.DocumentId && !keep.Contains(c.ChunkId)).ExecuteDeleteAsync(cancellationToken);

        var ids = changed.Chunks.Select(c => c.ChunkId).ToList();
        var existing = await Db.IndexedChunks.Where(c => ids.Contains(c.ChunkId)).ToDictionaryAsync(c => c.ChunkId, cancellationToken);
        var now = Time.GetUtcNow();
        foreach (var chunk in changed.Chunks)
        {
            if (!existing.TryGetValue(chunk.ChunkId, out var indexed))
            {
                indexed = new IndexedChunk
                {
                    ChunkId = chunk.ChunkId, DocumentId = changed.DocumentId, TenantId = changed.TenantId, LibraryId = changed.LibraryId,
                    Library = changed.Library, Version = changed.Version, Title = changed.Title, Breadcrumb = chunk.Breadcrumb,
                    Content = chunk.Content, ContentHash = chunk.ContentHash,
                };
                Db.IndexedChunks.Add(indexed);
            }
            if (indexed.ContentHash != chunk.ContentHash || indexed.Title != changed.Title || indexed.Breadcrumb != chunk.Breadcrumb)
            {
                indexed.EmbeddingModel = null; // its vector no longer describes it: the embedder makes a new one
            }
            indexed.Title = changed.Title;
            indexed.Breadcrumb = chunk.Breadcrumb;
            indexed.Url = chunk.Url;
            indexed.Ordinal = chunk.Ordinal;
            indexed.Languages = [.. chunk.Languages];
            indexed.Content = chunk.Content;
            indexed.ContentHash = chunk.ContentHash;
            indexed.Revision = changed.Revision;
            indexed.IndexedAt = now;
        }

        if (changed.Part == changed.PartCount)
        {
            Db.AddIntegrationEvent(new DocumentIndexed(changed.DocumentId, changed.TenantId, changed.Title, now), Time);
            // The freshness SLI (recorded as the unit of work ends; a redelivery after a failed commit would count twice).
            metrics.Indexed(now - changed.ChangedAt);
        }
        embedding.Signal();
    }
}
