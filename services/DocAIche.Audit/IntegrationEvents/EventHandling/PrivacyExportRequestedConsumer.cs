using System.Text.Json;
using DocAIche.Audit.Infrastructure;
using DocAIche.Audit.Privacy;
using DocAIche.Audit.Trail;
using DocAIche.Contracts.Privacy;
using DocAIche.ServiceDefaults.Messaging;
using MassTransit;
using DocAIche.ServiceDefaults.Privacy;

namespace DocAIche.Audit.IntegrationEvents.EventHandling;

/// <summary>The audit service's own part of an export: every record about the subject, opened.</summary>
public sealed class PrivacyExportRequestedConsumer(
    AuditDbContext db, PrivacyRequests requests, AuditRecordReader reader, TimeProvider time, ILogger<PrivacyExportRequestedConsumer> logger)
    : InboxConsumer<PrivacyExportRequested, AuditDbContext>(db, logger, time)
{
    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);

    protected override async Task HandleAsync(ConsumeContext<PrivacyExportRequested> context, CancellationToken cancellationToken)
    {
        var requested = context.Message;
        var records = new List<AuditRecordView>();
        var id = PrivacyErasure.IdOf(requested.SubjectId);
        foreach (var filter in new[] { new AuditRecordFilter(Actor: requested.SubjectId), new AuditRecordFilter(Target: id) })
        {
            await foreach (var record in reader.StreamAsync(requested.TenantId, filter, cancellationToken))
            {
                records.Add(record);
            }
        }
        var data = JsonSerializer.Serialize(new
        {
            auditRecords = records.DistinctBy(r => r.Id).OrderBy(r => r.Sequence),
        }, JsonOptions);
        await requests.AnswerAsync(requested.RequestId, requested.TenantId, PrivacyParticipants.Audit, data, null, cancellationToken);
    }
}
