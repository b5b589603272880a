using System.Text.Json;
using DocAIche.Audit.Infrastructure;
using DocAIche.Audit.Model;
using Microsoft.EntityFrameworkCore;
using DocAIche.ServiceDefaults.Privacy;

namespace DocAIche.Audit.Trail;

/// <summary>An audit record as auditors read it, with sealed fields opened where their key still exists.</summary>
public sealed record AuditRecordView(
    long Id,
    long Sequence,
    DateTimeOffset OccurredAt,
    DateTimeOffset RecordedAt,
    string ActorType,
    string Actor,
    string Action,
    string TargetType,
    string TargetId,
    string Outcome,
    string? ClientAddress,
    string? TraceId,
    IReadOnlyDictionary<string, string>? Details,
    string Hash);

/// <summary>What to read: every filter is optional; times are when things happened.</summary>
public sealed record AuditRecordFilter(
    DateTimeOffset? From = null,
    DateTimeOffset? To = null,
    string? Actor = null,
    string? Action = null,
    string? TargetType = null,
    string? Target = null,
    string? Outcome = null);

/// <summary>Reads a tenant's records by filter, in chain order, and opens what their subjects' keys still open.</summary>
public sealed class AuditRecordReader(AuditDbContext db, SubjectKeys keys)
{
    /// <summary>What stands where an erased subject's data was.</summary>
    public const string Erased = "[erased]";

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);

    /// <summary>The records after <paramref name="afterSequence"/>, at most <paramref name="limit"/>; null when a filter names an erased subject (nothing can match).</summary>
    public async Task<List<AuditRecordView>> ReadAsync(
        string tenantId, AuditRecordFilter filter, long afterSequence, int limit, CancellationToken cancellationToken)
    {
        var query = await QueryAsync(tenantId, filter, cancellationToken);
        if (query is null)
        {
            return [];
        }
        var page = await query.Where(r => r.Sequence > afterSequence).OrderBy(r => r.Sequence).Take(limit).ToListAsync(cancellationToken);
        return await OpenAsync(page, cancellationToken);
    }

    /// <summary>Every matching record, read in pages so memory stays flat however long the export.</summary>
    public async IAsyncEnumerable<AuditRecordView> StreamAsync(
        string tenantId, AuditRecordFilter filter, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        long after = 0;
        while (true)
        {
            var page = await ReadAsync(tenantId, filter, after, 500, cancellationToken);
            foreach (var view in page)
            {
                yield return view;
            }
            if (page.Count < 500)
            {
                yield break;
            }
            after = page[^1].Sequence;
        }
    }

    private async Task<IQueryable<AuditRecord>?> QueryAsync(string tenantId, AuditRecordFilter filter, CancellationToken cancellationToken)
    {
        var query = db.AuditRecords.AsNoTracking().Where(r => r.TenantId == tenantId);
        if (filter.From is { } from)
        {
            query = query.Where(r => r.OccurredAt >= from);
        }
        if (filter.To is { } to)
        {
            query = query.Where(r => r.OccurredAt < to);
        }
        if (!string.IsNullOrEmpty(filter.Action))
        {
            query = filter.Action.EndsWith('*')
                ? query.Where(r => r.Action.StartsWith(filter.Action.TrimEnd('*')))
                : query.Where(r => r.Action == filter.Action);
        }
        if (!string.IsNullOrEmpty(filter.Outcome))
        {
            query = query.Where(r => r.Outcome == filter.Outcome);
        }
        if (!string.IsNullOrEmpty(filter.TargetType))
        {
            query = query.Where(r => r.TargetType == filter.TargetType);
        }
        if (!string.IsNullOrEmpty(filter.Actor))
        {
            if (AuditEntry.IsPersonal(filter.Actor))
            {
                var key = await keys.FindAsync(tenantId, filter.Actor, cancellationToken);
                if (key is null)
                {
                    return null;
                }
                var index = SubjectKeys.Index(key.Value, filter.Actor);
                query = query.Where(r => r.ActorIndex == index);
            }
            else
            {
                query = query.Where(r => r.Actor == filter.Actor);
            }
        }
        if (!string.IsNullOrEmpty(filter.Target))
        {
            // A person's target is found through its key (user or API key id); anything else by its id in clear.
            var indexes = new List<string>();
            foreach (var subject in new[] { $"user:{filter.Target}", $"apikey:{filter.Target}", filter.Target }.Where(AuditEntry.IsPersonal))
            {
                if (await keys.FindAsync(tenantId, subject, cancellationToken) is { } key)
                {
                    indexes.Add(SubjectKeys.Index(key.Value, subject));
                }
            }
            query = query.Where(r => r.TargetId == filter.Target || (r.TargetIndex != null && indexes.Contains(r.TargetIndex)));
        }
        return query;
    }

    private async Task<List<AuditRecordView>> OpenAsync(List<AuditRecord> records, CancellationToken cancellationToken)
    {
        var opened = await keys.LoadAsync(
            records.SelectMany(r => new[] { r.ActorKeyId, r.TargetKeyId }).OfType<Guid>(), cancellationToken);
        return records.Select(record =>
        {
            var actorPart = SubjectKeys.Unseal(record.ActorKeyId is { } a ? opened.GetValueOrDefault(a) : null, record.ActorSealed);
            var targetPart = SubjectKeys.Unseal(record.TargetKeyId is { } t ? opened.GetValueOrDefault(t) : null, record.TargetSealed);
            var clearPart = record.Details is null ? null : JsonSerializer.Deserialize<SealedPart>(record.Details, JsonOptions);
            var actor = record.Actor ?? actorPart?.Subject ?? Erased;
            var target = record.TargetId ?? TargetIdOf(targetPart?.Subject) ?? Erased;
            var sealedDetailsLost = (record.ActorSealed is not null && actorPart is null) || (record.TargetSealed is not null && targetPart is null && record.ActorSealed is null);
            return new AuditRecordView(
                record.Id, record.Sequence, record.OccurredAt, record.RecordedAt, record.ActorType, actor, record.Action, record.TargetType, target,
                record.Outcome,
                actorPart?.ClientAddress ?? targetPart?.ClientAddress ?? clearPart?.ClientAddress ?? (sealedDetailsLost ? Erased : null),
                record.TraceId,
                actorPart?.Details ?? targetPart?.Details ?? clearPart?.Details,
                record.Hash);
        }).ToList();

        static string? TargetIdOf(string? subject) => subject is null ? null : PrivacyErasure.IdOf(subject);
    }
}
