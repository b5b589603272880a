using DocAIche.Audit.Infrastructure;
using DocAIche.Audit.Privacy;
using DocAIche.Contracts.Privacy;
using DocAIche.ServiceDefaults.Messaging;
using MassTransit;

namespace DocAIche.Audit.IntegrationEvents.EventHandling;

/// <summary>Keeps a service's part of an export; the export completes with the last one.</summary>
public sealed class PrivacyExportContributedConsumer(AuditDbContext db, PrivacyRequests requests, TimeProvider time, ILogger<PrivacyExportContributedConsumer> logger)
    : InboxConsumer<PrivacyExportContributed, AuditDbContext>(db, logger, time)
{
    protected override Task HandleAsync(ConsumeContext<PrivacyExportContributed> context, CancellationToken cancellationToken)
    {
        var part = context.Message;
        return requests.AnswerAsync(part.RequestId, part.TenantId, part.Service, part.Data, null, cancellationToken);
    }
}
