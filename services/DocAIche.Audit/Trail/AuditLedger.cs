using DocAIche.ServiceDefaults.Data;
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

    // What this transaction has locked and loaded: appends in one transaction (a batch) lock each
    // tenant's chain once and look each subject's key up once.
    private readonly Dictionary<string, AuditChain> ends = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Tenant, string Subject), SubjectKeys.Key> subjectKeys = [];
    private Guid? transactionId;

    public async Task<AuditRecord> AppendAsync(AuditEntry entry, Guid messageId, CancellationToken cancellationToken)
    {
        var transaction = db.Database.CurrentTransaction
            ?? throw new InvalidOperationException("Audit records are appended inside a transaction: the chain's end stays locked until it commits.");
        if (transaction.TransactionId != transactionId)
        {
            ends.Clear();
            subjectKeys.Clear();
            transactionId = transaction.TransactionId;
        }

        var record = new AuditRecord
        {
            TenantId = entry.TenantId,
            OccurredAt = AuditHash.Truncate(entry.OccurredAt),
            ActorType = AuditEntry.ActorTypeOf(entry.Actor),
            Action = Fit(entry.Action, 128),
            TargetType = Fit(entry.TargetType, 64),
            Outcome = Fit(entry.Outcome, 32),
            TraceId = entry.TraceId is null ? null : Fit(entry.TraceId, 32),
            MessageId = messageId,
            PreviousHash = "",
            Hash = "",
        };
        var details = entry.Details is { Count: > 0 } ? entry.Details : null;
        var clientAddress = entry.ClientAddress;

        if (AuditEntry.IsPersonal(entry.Actor))
        {
            var key = await KeyAsync(entry.TenantId, entry.Actor, cancellationToken);
            record.ActorIndex = SubjectKeys.Index(key.Value, entry.Actor);
            record.ActorKeyId = key.Id;
            record.ActorSealed = SubjectKeys.Seal(key.Value, new SealedPart(entry.Actor, clientAddress, details));
            (clientAddress, details) = (null, null);
        }
        else
        {
            record.Actor = Fit(entry.Actor, 256);
        }

        if (entry.TargetSubject is { } targetSubject)
        {
            var key = await KeyAsync(entry.TenantId, targetSubject, cancellationToken);
            record.TargetIndex = SubjectKeys.Index(key.Value, targetSubject);
            record.TargetKeyId = key.Id;
            // Without a personal actor, the address and details (a failed sign-in's) belong with the target.
            record.TargetSealed = SubjectKeys.Seal(key.Value, new SealedPart(targetSubject, clientAddress, details));
            (clientAddress, details) = (null, null);
        }
        else
        {
            record.TargetId = Fit(entry.TargetId, 256);
        }

        if (clientAddress is not null || details is not null)
        {
            record.Details = JsonSerializer.Serialize(new SealedPart(null, clientAddress, details), JsonOptions);
        }

        var end = await EndOfChainAsync(entry.TenantId, cancellationToken);
        record.Sequence = end.LastSequence + 1;
        record.PreviousHash = end.LastHash;
        // Taken under the lock, so a tenant's records are in time order too.
        record.RecordedAt = AuditHash.Truncate(time.GetUtcNow());
        record.Hash = AuditHash.Compute(record);
        db.AuditRecords.Add(record);
        // Tracked: the caller's SaveChanges moves the chain's end with the records.
        end.LastSequence = record.Sequence;
        end.LastHash = record.Hash;
        return record;
    }

    private async Task<SubjectKeys.Key> KeyAsync(string tenantId, string subject, CancellationToken cancellationToken)
    {
        if (!subjectKeys.TryGetValue((tenantId, subject), out var key))
        {
            key = await keys.GetOrCreateAsync(tenantId, subject, cancellationToken);
            subjectKeys[(tenantId, subject)] = key;
        }
        return key;
    }

    /// <summary>The tenant's chain end, locked (FOR UPDATE) for the rest of the transaction.</summary>
    private async Task<AuditChain> EndOfChainAsync(string tenantId, CancellationToken cancellationToken)
    {
        if (ends.TryGetValue(tenantId, out var end))
        {
            return end;
        }
        await db.Database.ExecuteSqlAsync(
            $"""INSERT INTO audit_chains ("TenantId", "LastSequence", "LastHash") VALUES ({tenantId}, 0, {AuditHash.Genesis}) ON CONFLICT DO NOTHING""",
            cancellationToken);
        // The statement names its tenant; the filter would wrap the locking SELECT in a subquery.
        end = await db.AuditChains
            .FromSql($"""SELECT * FROM audit_chains WHERE "TenantId" = {tenantId} FOR UPDATE""")
            .AcrossTenants()
            .SingleAsync(cancellationToken);
        ends[tenantId] = end;
        return end;
    }

    /// <summary>Values longer than their column are cut rather than losing the record.</summary>
    private static string Fit(string value, int length) => value.Length <= length ? value : value[..length];
}
