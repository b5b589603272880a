using DocAIche.Contracts.Privacy;
using DocAIche.Documents.Infrastructure;
using DocAIche.ServiceDefaults.Messaging;
using DocAIche.ServiceDefaults.Privacy;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace DocAIche.Documents.IntegrationEvents.EventHandling;

/// <summary>
/// The documents service's part of an erasure: the tenant's libraries, sources and jobs stay (they
/// are the tenant's documentation) but no longer say who created or started them.
/// </summary>
public sealed class PrivacyErasureRequestedConsumer(DocumentsDbContext db, ILogger<PrivacyErasureRequestedConsumer> logger, TimeProvider time)
    : InboxConsumer<PrivacyErasureRequested, DocumentsDbContext>(db, logger, time)
{
    protected override async Task HandleAsync(ConsumeContext<PrivacyErasureRequested> context, CancellationToken cancellationToken)
    {
        var (tenant, subject) = (context.Message.TenantId, context.Message.SubjectId);
        var erased = new Dictionary<string, int>
        {
            ["libraries"] = await Db.Libraries.Where(l => l.CreatedBy == subject)
                .ExecuteUpdateAsync(l => l.SetProperty(x => x.CreatedBy, PrivacyErasure.ErasedSubject), cancellationToken),
            ["sources"] = await Db.Sources.Where(s => s.CreatedBy == subject)
                .ExecuteUpdateAsync(s => s.SetProperty(x => x.CreatedBy, PrivacyErasure.ErasedSubject), cancellationToken),
            ["jobs"] = await Db.IngestionJobs.Where(j => j.RequestedBy == subject)
                .ExecuteUpdateAsync(j => j.SetProperty(x => x.RequestedBy, PrivacyErasure.ErasedSubject), cancellationToken),
            ["events"] = await Db.DeleteSentEventsAboutAsync(tenant, PrivacyErasure.IdentifiersOf(subject), cancellationToken),
        };
        Db.AddIntegrationEvent(new PrivacyErasureConfirmed(context.Message.RequestId, tenant, PrivacyParticipants.Documents, erased, [], Time.GetUtcNow()), Time);
    }
}
