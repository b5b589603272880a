using System.Text.Json;
using DocAIche.Contracts.Audit;
using DocAIche.Contracts.Privacy;
using DocAIche.Search.History;
using DocAIche.Search.Infrastructure;
using DocAIche.Search.Model;
using DocAIche.ServiceDefaults.Messaging;
using DocAIche.ServiceDefaults.Privacy;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace DocAIche.Search.IntegrationEvents.EventHandling;

/// <summary>Search's part of a privacy export: the subject's feedback and query history.</summary>
public sealed class PrivacyExportConsumer(SearchDbContext db, ILogger<PrivacyExportConsumer> logger, TimeProvider time)
    : InboxConsumer<PrivacyExportRequested, SearchDbContext>(db, logger, time)
{
    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);

    protected override async Task HandleAsync(ConsumeContext<PrivacyExportRequested> context, CancellationToken cancellationToken)
    {
        var requested = context.Message;
        var feedback = await Db.Feedback.AsNoTracking()
            .Where(f => f.TenantId == requested.TenantId && f.Subject == requested.SubjectId)
            .OrderBy(f => f.CreatedAt)
            .Select(f => new { f.FeedbackId, f.DocumentId, f.ChunkId, Kind = f.Kind.ToString(), f.Query, f.Comment, f.CreatedAt })
            .ToListAsync(cancellationToken);
        var history = await Db.QueryHistory.AsNoTracking()
            .Where(e => e.TenantId == requested.TenantId && e.Subject == requested.SubjectId)
            .OrderBy(e => e.At)
            .Select(e => new { e.Query, e.Library, e.Version, e.Results, e.Channel, e.At })
            .ToListAsync(cancellationToken);
        Db.AddIntegrationEvent(new PrivacyExportContributed(requested.RequestId, requested.TenantId, requested.SubjectId, PrivacyParticipants.Search,
            JsonSerializer.Serialize(new { feedback, queryHistory = history }, JsonOptions), Time.GetUtcNow()), Time);
    }
}

/// <summary>Search's part of an erasure: the subject's feedback and query history are deleted, with published events that named them.</summary>
public sealed class PrivacyErasureConsumer(SearchDbContext db, ILogger<PrivacyErasureConsumer> logger, TimeProvider time)
    : InboxConsumer<PrivacyErasureRequested, SearchDbContext>(db, logger, time)
{
    protected override async Task HandleAsync(ConsumeContext<PrivacyErasureRequested> context, CancellationToken cancellationToken)
    {
        var requested = context.Message;
        var subject = requested.SubjectId;
        var feedback = await Db.Feedback.Where(f => f.TenantId == requested.TenantId && f.Subject == subject).ExecuteDeleteAsync(cancellationToken);
        var history = await Db.QueryHistory.Where(e => e.TenantId == requested.TenantId && e.Subject == subject).ExecuteDeleteAsync(cancellationToken);
        var events = await Db.DeleteSentEventsAboutAsync(requested.TenantId, PrivacyErasure.IdentifiersOf(subject), cancellationToken);
        Db.AddIntegrationEvent(new PrivacyErasureConfirmed(requested.RequestId, requested.TenantId, PrivacyParticipants.Search,
            new Dictionary<string, int> { ["feedback"] = feedback, ["queryHistory"] = history, ["events"] = events }, [], Time.GetUtcNow()), Time);
    }
}

/// <summary>Keeps the tenant's query-history retention and purges by it when asked to now.</summary>
public sealed class RetentionPolicyChangedConsumer(SearchDbContext db, ILogger<RetentionPolicyChangedConsumer> logger, TimeProvider time)
    : InboxConsumer<RetentionPolicyChanged, SearchDbContext>(db, logger, time)
{
    protected override async Task HandleAsync(ConsumeContext<RetentionPolicyChanged> context, CancellationToken cancellationToken)
    {
        var changed = context.Message;
        var retention = await Db.TenantRetention.FirstOrDefaultAsync(r => r.TenantId == changed.TenantId, cancellationToken);
        if (retention is null)
        {
            retention = new TenantRetention { TenantId = changed.TenantId };
            Db.TenantRetention.Add(retention);
        }
        else if (retention.ChangedAt > changed.ChangedAt)
        {
            return;
        }
        retention.QueryHistoryDays = changed.QueryHistoryDays;
        retention.ChangedAt = changed.ChangedAt;
        if (changed.PurgeNow)
        {
            await QueryHistory.PurgeTenantAsync(Db, changed.TenantId, Time.GetUtcNow() - TimeSpan.FromDays(changed.QueryHistoryDays), cancellationToken);
        }
    }
}
