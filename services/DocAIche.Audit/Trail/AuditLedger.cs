using System.Text.Json;
using DocAIche.Audit.Infrastructure;
using DocAIche.Audit.Model;
using Microsoft.EntityFrameworkCore;

namespace DocAIche.Audit.Trail;

/// <summary>
/// Appends records to a tenant's chain. Callers run it inside a transaction (see
/// <c>InTransactionAsync</c>) and save afterwards: the chain's end is locked until they commit, so
/// appends to one tenant are serialised across every instance and each record links to the one before.
/// </summary>
public sealed class AuditLedger(AuditDbContext db, SubjectKeys keys, TimeProvider time)
{
    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);

    /// <summary>An entry for something the audit service itself did at the caller's request.</summary>
    public AuditEntry EntryFor(HttpContext http, string action, string targetType, string targetId, IReadOnlyDictionary<string, string>? details = null)
    {
        var described = ServiceDefaults.Auditing.AuditTrail.Describe(http, time, action, targetType, targetId, details: details);
        return new AuditEntry(described.TenantId, described.OccurredAt, described.Actor, described.Action, described.TargetType, described.TargetId,
            described.Outcome, described.ClientAddress, described.TraceId, described.Details);
    }

    public async Task<AuditRecord> AppendAsync(AuditEntry entry, Guid messageId, CancellationToken cancellationToken)
    {
        var record = new AuditRecord
        {
            TenantId = entry.TenantId,
            OccurredAt = AuditHash.Truncate(entry.OccurredAt),
            ActorType = AuditEntry.ActorTypeOf(entry.Actor),
            Action = entry.Action,
            TargetType = entry.TargetType,
            Outcome = entry.Outcome,
            TraceId = entry.TraceId,
            MessageId = messageId,
            PreviousHash = "",
            Hash = "",
        };
        var details = entry.Details is { Count: > 0 } ? entry.Details : null;
        var clientAddress = entry.ClientAddress;

        if (AuditEntry.IsPersonal(entry.Actor))
        {
            var key = await keys.GetOrCreateAsync(entry.TenantId, entry.Actor, cancellationToken);
            record.ActorIndex = SubjectKeys.Index(key.Value, entry.Actor);
            record.ActorKeyId = key.Id;
            record.ActorSealed = SubjectKeys.Seal(key.Value, new SealedPart(entry.Actor, clientAddress, details));
            (clientAddress, details) = (null, null);
        }
        else
        {
            record.Actor = entry.Actor;
        }

        if (entry.TargetSubject is { } targetSubject)
        {
            var key = await keys.GetOrCreateAsync(entry.TenantId, targetSubject, cancellationToken);
            record.TargetIndex = SubjectKeys.Index(key.Value, targetSubject);
            record.TargetKeyId = key.Id;
            // Without a personal actor, the address and details (a failed sign-in's) belong with the target.
            record.TargetSealed = SubjectKeys.Seal(key.Value, new SealedPart(targetSubject, clientAddress, details));
            (clientAddress, details) = (null, null);
        }
        else
        {
            record.TargetId = entry.TargetId;
        }

        if (clientAddress is not null || details is not null)
        {
            record.Details = JsonSerializer.Serialize(new SealedPart(null, clientAddress, details), JsonOptions);
        }

        await db.Database.ExecuteSqlAsync(
            $"""INSERT INTO audit_chains ("TenantId", "LastSequence", "LastHash") VALUES ({entry.TenantId}, 0, {AuditHash.Genesis}) ON CONFLICT DO NOTHING""",
            cancellationToken);
        var end = await db.AuditChains
            .FromSql($"""SELECT * FROM audit_chains WHERE "TenantId" = {entry.TenantId} FOR UPDATE""")
            .AsNoTracking()
            .SingleAsync(cancellationToken);

        record.Sequence = end.LastSequence + 1;
        record.PreviousHash = end.LastHash;
        // Taken under the lock, so a tenant's records are in time order too.
        record.RecordedAt = AuditHash.Truncate(time.GetUtcNow());
        record.Hash = AuditHash.Compute(record);

        db.AuditRecords.Add(record);
        await db.Database.ExecuteSqlAsync(
            $"""UPDATE audit_chains SET "LastSequence" = {record.Sequence}, "LastHash" = {record.Hash} WHERE "TenantId" = {entry.TenantId}""",
            cancellationToken);
        return record;
    }
}
