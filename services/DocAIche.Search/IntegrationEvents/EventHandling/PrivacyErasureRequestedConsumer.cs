using DocAIche.Contracts.Privacy;
using DocAIche.Search.Infrastructure;
using DocAIche.ServiceDefaults.Messaging;
using DocAIche.ServiceDefaults.Privacy;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace DocAIche.Search.IntegrationEvents.EventHandling;

/// <summary>Search's part of an erasure: the subject's feedback and query history are deleted, with published events that named them.</summary>
public sealed class PrivacyErasureRequestedConsumer(SearchDbContext db, ILogger<PrivacyErasureRequestedConsumer> logger, TimeProvider time)
    : InboxConsumer<PrivacyErasureRequested, SearchDbContext>(db, logger, time)
{
    protected override async Task HandleAsync(ConsumeContext<PrivacyErasureRequested> context, CancellationToken cancellationToken)
    {
        var requested = context.Message;
        var subject = requested.SubjectId;
        var feedback = await Db.Feedback.Where(f => f.Subject == subject).ExecuteDeleteAsync(cancellationToken);
        var history = await Db.QueryHistory.Where(e => e.Subject == subject).ExecuteDeleteAsync(cancellationToken);
        var events = await Db.DeleteSentEventsAboutAsync(requested.TenantId, PrivacyErasure.IdentifiersOf(subject), cancellationToken);
        Db.AddIntegrationEvent(new PrivacyErasureConfirmed(requested.RequestId, requested.TenantId, PrivacyParticipants.Search,
            new Dictionary<string, int> { ["feedback"] = feedback, ["queryHistory"] = history, ["events"] = events }, [], Time.GetUtcNow()), Time);
    }
}
