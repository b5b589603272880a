using System.Text.Json;
using DocAIche.Contracts.Privacy;
using DocAIche.Documents.Infrastructure;
using DocAIche.ServiceDefaults.Messaging;
using DocAIche.ServiceDefaults.Privacy;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace DocAIche.Documents.IntegrationEvents.EventHandling;

/// <summary>The documents service's part of a privacy export: the libraries and sources the subject created and the jobs they started.</summary>
public sealed class PrivacyExportConsumer(DocumentsDbContext db, ILogger<PrivacyExportConsumer> logger, TimeProvider time)
    : InboxConsumer<PrivacyExportRequested, DocumentsDbContext>(db, logger, time)
{
    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);

    protected override async Task HandleAsync(ConsumeContext<PrivacyExportRequested> context, CancellationToken cancellationToken)
    {
        var (tenant, subject) = (context.Message.TenantId, context.Message.SubjectId);
        var libraries = await Db.Libraries.AsNoTracking().Where(l => l.TenantId == tenant && l.CreatedBy == subject)
            .Select(l => new { l.Id, l.Name, l.CreatedAt }).ToListAsync(cancellationToken);
        var sources = await Db.Sources.AsNoTracking().Where(s => s.TenantId == tenant && s.CreatedBy == subject)
            .Select(s => new { s.Id, Kind = s.Kind.ToString(), s.CreatedAt }).ToListAsync(cancellationToken);
        var jobs = await Db.IngestionJobs.AsNoTracking().Where(j => j.TenantId == tenant && j.RequestedBy == subject)
            .Select(j => new { j.Id, j.SourceId, State = j.State.ToString(), j.CreatedAt }).ToListAsync(cancellationToken);
        Db.AddIntegrationEvent(new PrivacyExportContributed(context.Message.RequestId, tenant, subject, PrivacyParticipants.Documents,
            JsonSerializer.Serialize(new { librariesCreated = libraries, sourcesCreated = sources, jobsStarted = jobs }, JsonOptions), Time.GetUtcNow()), Time);
    }
}

/// <summary>
/// The documents service's part of an erasure: the tenant's libraries, sources and jobs stay (they
/// are the tenant's documentation) but no longer say who created or started them.
/// </summary>
public sealed class PrivacyErasureConsumer(DocumentsDbContext db, ILogger<PrivacyErasureConsumer> logger, TimeProvider time)
    : InboxConsumer<PrivacyErasureRequested, DocumentsDbContext>(db, logger, time)
{
    protected override async Task HandleAsync(ConsumeContext<PrivacyErasureRequested> context, CancellationToken cancellationToken)
    {
        var (tenant, subject) = (context.Message.TenantId, context.Message.SubjectId);
        var erased = new Dictionary<string, int>
        {
            ["libraries"] = await Db.Libraries.Where(l => l.TenantId == tenant && l.CreatedBy == subject)
                .ExecuteUpdateAsync(l => l.SetProperty(x => x.CreatedBy, PrivacyErasure.ErasedSubject), cancellationToken),
            ["sources"] = await Db.Sources.Where(s => s.TenantId == tenant && s.CreatedBy == subject)
                .ExecuteUpdateAsync(s => s.SetProperty(x => x.CreatedBy, PrivacyErasure.ErasedSubject), cancellationToken),
            ["jobs"] = await Db.IngestionJobs.Where(j => j.TenantId == tenant && j.RequestedBy == subject)
                .ExecuteUpdateAsync(j => j.SetProperty(x => x.RequestedBy, PrivacyErasure.ErasedSubject), cancellationToken),
            ["events"] = await Db.DeleteSentEventsAboutAsync(tenant, PrivacyErasure.IdentifiersOf(subject), cancellationToken),
        };
        Db.AddIntegrationEvent(new PrivacyErasureConfirmed(context.Message.RequestId, tenant, PrivacyParticipants.Documents, erased, [], Time.GetUtcNow()), Time);
    }
}
