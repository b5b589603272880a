using System.Text.Json;
using DocAIche.Audit.Infrastructure;
using DocAIche.Audit.Privacy;
using DocAIche.Audit.Trail;
using DocAIche.Contracts.Privacy;
using MassTransit;
using DocAIche.ServiceDefaults.Privacy;

namespace DocAIche.Audit.IntegrationEvents.EventHandling;

/// <summary>Keeps a service's part of an export; the export completes with the last one.</summary>
public sealed class PrivacyExportContributedConsumer(AuditDbContext db, PrivacyRequests requests, TimeProvider time, ILogger<PrivacyExportContributedConsumer> logger)
    : LedgerConsumer<PrivacyExportContributed>(db, time, logger)
{
    protected override Task HandleAsync(ConsumeContext<PrivacyExportContributed> context, Guid messageId, CancellationToken cancellationToken)
    {
        var part = context.Message;
        return requests.AnswerAsync(part.RequestId, part.TenantId, part.Service, part.Data, null, cancellationToken);
    }
}

/// <summary>Notes a service's erasure; destroys the audit keys of the subject's API keys it names; the erasure completes with the last one.</summary>
public sealed class PrivacyErasureConfirmedConsumer(
    AuditDbContext db, PrivacyRequests requests, SubjectKeys keys, TimeProvider time, ILogger<PrivacyErasureConfirmedConsumer> logger)
    : LedgerConsumer<PrivacyErasureConfirmed>(db, time, logger)
{
    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);

    protected override async Task HandleAsync(ConsumeContext<PrivacyErasureConfirmed> context, Guid messageId, CancellationToken cancellationToken)
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

/// <summary>The audit service's own part of an export: every record about the subject, opened.</summary>
public sealed class AuditExportParticipant(
    AuditDbContext db, PrivacyRequests requests, AuditRecordReader reader, TimeProvider time, ILogger<AuditExportParticipant> logger)
    : LedgerConsumer<PrivacyExportRequested>(db, time, logger)
{
    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);

    protected override async Task HandleAsync(ConsumeContext<PrivacyExportRequested> context, Guid messageId, CancellationToken cancellationToken)
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

/// <summary>The audit service's own part of an erasure: the subject's key goes, so their sealed fields can never be read again.</summary>
public sealed class AuditErasureParticipant(
    AuditDbContext db, PrivacyRequests requests, SubjectKeys keys, TimeProvider time, ILogger<AuditErasureParticipant> logger)
    : LedgerConsumer<PrivacyErasureRequested>(db, time, logger)
{
    protected override async Task HandleAsync(ConsumeContext<PrivacyErasureRequested> context, Guid messageId, CancellationToken cancellationToken)
    {
        var requested = context.Message;
        var erased = await keys.EraseAsync(requested.TenantId, [requested.SubjectId], cancellationToken);
        await requests.AnswerAsync(requested.RequestId, requested.TenantId, PrivacyParticipants.Audit, null,
            JsonSerializer.Serialize(new Dictionary<string, int> { ["subjectKeys"] = erased }), cancellationToken);
    }
}
