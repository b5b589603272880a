using System.Text.Json;
using DocAIche.Contracts.Privacy;
using DocAIche.Documents.Infrastructure;
using DocAIche.ServiceDefaults.Messaging;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace DocAIche.Documents.IntegrationEvents.EventHandling;

/// <summary>The documents service's part of a privacy export: the libraries and sources the subject created and the jobs they started.</summary>
public sealed class PrivacyExportRequestedConsumer(DocumentsDbContext db, ILogger<PrivacyExportRequestedConsumer> logger, TimeProvider time)
    : InboxConsumer<PrivacyExportRequested, DocumentsDbContext>(db, logger, time)
{
    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);

    protected override async Task HandleAsync(ConsumeContext<PrivacyExportRequested> context, CancellationToken cancellationToken)
    {
        var (tenant, subject) = (context.Message.TenantId, context.Message.SubjectId);
        var libraries = await Db.Libraries.AsNoTracking().Where(l => l.CreatedBy == subject)
            .Select(l => new { l.Id, l.Name, l.CreatedAt }).ToListAsync(cancellationToken);
        var sources = await Db.Sources.AsNoTracking().Where(s => s.CreatedBy == subject)
            .Select(s => new { s.Id, Kind = s.Kind.ToString(), s.CreatedAt }).ToListAsync(cancellationToken);
        var jobs = await Db.IngestionJobs.AsNoTracking().Where(j => j.RequestedBy == subject)
            .Select(j => new { j.Id, j.SourceId, State = j.State.ToString(), j.CreatedAt }).ToListAsync(cancellationToken);
        Db.AddIntegrationEvent(new PrivacyExportContributed(context.Message.RequestId, tenant, subject, PrivacyParticipants.Documents,
            JsonSerializer.Serialize(new { librariesCreated = libraries, sourcesCreated = sources, jobsStarted = jobs }, JsonOptions), Time.GetUtcNow()), Time);
    }
}
