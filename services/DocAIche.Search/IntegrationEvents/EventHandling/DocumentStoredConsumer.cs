using DocAIche.Contracts.Documents;
using DocAIche.Contracts.Search;
using DocAIche.Search.Infrastructure;
using DocAIche.Search.Model;
using DocAIche.ServiceDefaults.Messaging;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace DocAIche.Search.IntegrationEvents.EventHandling;

/// <summary>Indexes a stored document and announces that search now answers for it.</summary>
public sealed class DocumentStoredConsumer(SearchDbContext db, ILogger<DocumentStoredConsumer> logger, TimeProvider time)
    : InboxConsumer<DocumentStored, SearchDbContext>(db, logger, time)
{
    protected override async Task HandleAsync(ConsumeContext<DocumentStored> context, CancellationToken cancellationToken)
    {
        var stored = context.Message;
        var now = Time.GetUtcNow();
        var document = await Db.IndexedDocuments.SingleOrDefaultAsync(d => d.DocumentId == stored.DocumentId, cancellationToken);
        if (document is null)
        {
            Db.IndexedDocuments.Add(new IndexedDocument
            {
                DocumentId = stored.DocumentId,
                TenantId = stored.TenantId,
                Title = stored.Title,
                Content = stored.Content,
                SourceUrl = stored.SourceUrl,
                ContentHash = stored.ContentHash,
                StoredAt = stored.StoredAt,
                IndexedAt = now,
            });
        }
        else if (stored.StoredAt > document.StoredAt && document.TenantId == stored.TenantId)
        {
            document.Title = stored.Title;
            document.Content = stored.Content;
            document.SourceUrl = stored.SourceUrl;
            document.ContentHash = stored.ContentHash;
            document.StoredAt = stored.StoredAt;
            document.IndexedAt = now;
        }
        else
        {
            return; // an older version, or nothing new: the index already answers for this one
        }

        Db.AddIntegrationEvent(new DocumentIndexed(stored.DocumentId, stored.TenantId, stored.Title, now), Time);
    }
}
