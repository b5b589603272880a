using System.Text.Json;
using DocAIche.Audit.Infrastructure;
using DocAIche.Audit.Privacy;
using DocAIche.Audit.Trail;
using DocAIche.Contracts.Privacy;
using DocAIche.ServiceDefaults.Messaging;
using MassTransit;

namespace DocAIche.Audit.IntegrationEvents.EventHandling;

/// <summary>The audit service's own part of an erasure: the subject's key goes, so their sealed fields can never be read again.</summary>
public sealed class PrivacyErasureRequestedConsumer(
    AuditDbContext db, PrivacyRequests requests, SubjectKeys keys, TimeProvider time, ILogger<PrivacyErasureRequestedConsumer> logger)
    : InboxConsumer<PrivacyErasureRequested, AuditDbContext>(db, logger, time)
{
    protected override async Task HandleAsync(ConsumeContext<PrivacyErasureRequested> context, CancellationToken cancellationToken)
    {
        var requested = context.Message;
        var erased = await keys.EraseAsync(requested.TenantId, [requested.SubjectId], cancellationToken);
        await requests.AnswerAsync(requested.RequestId, requested.TenantId, PrivacyParticipants.Audit, null,
            JsonSerializer.Serialize(new Dictionary<string, int> { ["subjectKeys"] = erased }), cancellationToken);
    }
}
