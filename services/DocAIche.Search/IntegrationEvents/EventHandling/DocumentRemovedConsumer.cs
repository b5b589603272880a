using DocAIche.Contracts.Documents;
using DocAIche.Search.Infrastructure;
using DocAIche.Search.Model;
using DocAIche.ServiceDefaults.Messaging;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace DocAIche.Search.IntegrationEvents.EventHandling;

/// <summary>Takes a removed document's chunks out of the index and remembers the removal against late events.</summary>
public sealed class DocumentRemovedConsumer(SearchDbContext db, ILogger<DocumentRemovedConsumer> logger, TimeProvider time)
    : InboxConsumer<DocumentRemoved, SearchDbContext>(db, logger, time)
{
    protected override async Task HandleAsync(ConsumeContext<DocumentRemoved> context, CancellationToken cancellationToken)
    {
        var removed = context.Message;
        var document = await Db.IndexedDocuments.SingleOrDefaultAsync(d => d.DocumentId == removed.DocumentId, cancellationToken);
        if (document is not null && (document.TenantId != removed.TenantId || document.Revision > removed.Revision))
        {
            return;
        }
        if (document is null)
        {
            document = new IndexedDocument { DocumentId = removed.DocumentId, TenantId = removed.TenantId, LibraryId = removed.LibraryId };
            Db.IndexedDocuments.Add(document);
        }
        document.Revision = removed.Revision;
        document.Removed = true;
        await Db.IndexedChunks.Where(c => c.DocumentId == removed.DocumentId).ExecuteDeleteAsync(cancellationToken);
        await Db.IndexedLibraries.Where(l => l.LibraryId == removed.LibraryId)
            .ExecuteUpdateAsync(l => l.SetProperty(x => x.Generation, x => x.Generation + 1), cancellationToken);
    }
}
