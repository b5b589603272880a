using DocAIche.Audit.Infrastructure;
using DocAIche.Audit.Model;
using DocAIche.Contracts.Documents;
using DocAIche.ServiceDefaults.Messaging;
using MassTransit;

namespace DocAIche.Audit.IntegrationEvents.EventHandling;

/// <summary>Records that a document was stored.</summary>
public sealed class DocumentStoredConsumer(AuditDbContext db, ILogger<DocumentStoredConsumer> logger, TimeProvider time)
    : InboxConsumer<DocumentStored, AuditDbContext>(db, logger, time)
{
    protected override Task HandleAsync(ConsumeContext<DocumentStored> context, CancellationToken cancellationToken)
    {
        var stored = context.Message;
        Db.AuditRecords.Add(new AuditRecord
        {
            TenantId = stored.TenantId,
            OccurredAt = stored.StoredAt,
            RecordedAt = Time.GetUtcNow(),
            // Requests are anonymous until the identity service lands; then the actor comes from the token.
            Actor = "service:documents",
            Action = "document.stored",
            TargetType = "document",
            TargetId = stored.DocumentId.ToString(),
            Outcome = "success",
            MessageId = context.MessageId!.Value,
        });
        return Task.CompletedTask;
    }
}
