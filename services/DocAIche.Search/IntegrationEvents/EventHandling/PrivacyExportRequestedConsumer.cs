using System.Text.Json;
using DocAIche.Contracts.Privacy;
using DocAIche.Search.Infrastructure;
using DocAIche.ServiceDefaults.Messaging;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace DocAIche.Search.IntegrationEvents.EventHandling;

/// <summary>Search's part of a privacy export: the subject's feedback and query history.</summary>
public sealed class PrivacyExportRequestedConsumer(SearchDbContext db, ILogger<PrivacyExportRequestedConsumer> logger, TimeProvider time)
    : InboxConsumer<PrivacyExportRequested, SearchDbContext>(db, logger, time)
{
    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);

    protected override async Task HandleAsync(ConsumeContext<PrivacyExportRequested> context, CancellationToken cancellationToken)
    {
        var requested = context.Message;
        var feedback = await Db.Feedback.AsNoTracking()
            .Where(f => f.Subject == requested.SubjectId)
            .OrderBy(f => f.CreatedAt)
            .Select(f => new { f.FeedbackId, f.DocumentId, f.ChunkId, Kind = f.Kind.ToString(), f.Query, f.Comment, f.CreatedAt })
            .ToListAsync(cancellationToken);
        var history = await Db.QueryHistory.AsNoTracking()
            .Where(e => e.Subject == requested.SubjectId)
            .OrderBy(e => e.At)
            .Select(e => new { e.Query, e.Library, e.Version, e.Results, e.Tokens, e.Milliseconds, e.Channel, e.Operation, e.At })
            .ToListAsync(cancellationToken);
        Db.AddIntegrationEvent(new PrivacyExportContributed(requested.RequestId, requested.TenantId, requested.SubjectId, PrivacyParticipants.Search,
            JsonSerializer.Serialize(new { feedback, queryHistory = history }, JsonOptions), Time.GetUtcNow()), Time);
    }
}
