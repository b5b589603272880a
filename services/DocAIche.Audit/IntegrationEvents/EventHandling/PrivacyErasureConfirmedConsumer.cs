using System.Text.Json;
using DocAIche.Audit.Infrastructure;
using DocAIche.Audit.Privacy;
using DocAIche.Audit.Trail;
using DocAIche.Contracts.Privacy;
using DocAIche.ServiceDefaults.Messaging;
using MassTransit;

namespace DocAIche.Audit.IntegrationEvents.EventHandling;

/// <summary>Notes a service's erasure; destroys the audit keys of the subject's API keys it names; the erasure completes with the last one.</summary>
public sealed class PrivacyErasureConfirmedConsumer(
    AuditDbContext db, PrivacyRequests requests, SubjectKeys keys, TimeProvider time, ILogger<PrivacyErasureConfirmedConsumer> logger)
    : InboxConsumer<PrivacyErasureConfirmed, AuditDbContext>(db, logger, time)
{
    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);

    protected override async Task HandleAsync(ConsumeContext<PrivacyErasureConfirmed> context, CancellationToken cancellationToken)
    {
        var confirmed = context.Message;
        var related = confirmed.RelatedSubjects.Where(AuditEntry.IsPersonal).ToList();
        if (related.Count > 0)
        {
            await keys.EraseAsync(confirmed.TenantId, related, cancellationToken);
        }
        await requests.AnswerAsync(confirmed.RequestId, confirmed.TenantId, confirmed.Service, null,
            JsonSerializer.Serialize(confirmed.Erased, JsonOptions), cancellationToken);
    }
}
