using System.Text.Json;
using DocAIche.Audit.Infrastructure;
using DocAIche.Audit.Privacy;
using DocAIche.Audit.Trail;
using DocAIche.Contracts.Privacy;
using DocAIche.ServiceDefaults.Messaging;
using MassTransit;
using Microsoft.EntityFrameworkCore;

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
        // Who checked the chain, in the verification history compliance reports show.
        var verifications = await Db.ChainVerificationRuns.Where(r => r.RequestedBy == requested.SubjectId)
            .ExecuteUpdateAsync(r => r.SetProperty(x => x.RequestedBy, "erased"), cancellationToken);
        await requests.AnswerAsync(requested.RequestId, requested.TenantId, PrivacyParticipants.Audit, null,
            JsonSerializer.Serialize(new Dictionary<string, int> { ["subjectKeys"] = erased, ["chainVerifications"] = verifications }), cancellationToken);
    }
}
