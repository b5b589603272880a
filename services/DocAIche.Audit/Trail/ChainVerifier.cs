using System.Diagnostics;
using DocAIche.Audit.Infrastructure;
using DocAIche.Audit.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace DocAIche.Audit.Trail;

/// <summary>The first record that does not verify, and why.</summary>
public sealed record BrokenLink(long Id, long Sequence, string Reason);

/// <summary>The result of walking a tenant's chain.</summary>
public sealed record ChainVerification(
    bool Verified,
    long RecordsChecked,
    long? FirstSequence,
    long? LastSequence,
    string? LastHash,
    long? CheckpointSequence,
    BrokenLink? FirstBroken,
    string? Problem,
    double Milliseconds);

/// <summary>
/// Walks a tenant's chain from its latest signed checkpoint (or the start): every record must follow
/// the one before without a gap, carry its predecessor's hash, and hash to what it stores; the
/// chain's recorded end must be the last record. The first record that does not is reported.
/// </summary>
public sealed class ChainVerifier(AuditDbContext db, IOptions<AuditOptions> options)
{
    private readonly byte[] checkpointKey = System.Text.Encoding.UTF8.GetBytes(options.Value.CheckpointKey);

    public byte[] CheckpointKey => checkpointKey;

    public async Task<ChainVerification> VerifyAsync(string tenantId, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var checkpoint = await db.AuditCheckpoints.AsNoTracking()
            .Where(c => c.TenantId == tenantId).OrderByDescending(c => c.ThroughSequence).FirstOrDefaultAsync(cancellationToken);
        if (checkpoint is not null && !string.Equals(AuditHash.Sign(checkpoint, checkpointKey), checkpoint.Signature, StringComparison.Ordinal))
        {
            return new(false, 0, null, null, null, checkpoint.ThroughSequence, null,
                $"The retention checkpoint through record {checkpoint.ThroughSequence} is not signed with this deployment's key.", clock.Elapsed.TotalMilliseconds);
        }

        var expectedSequence = (checkpoint?.ThroughSequence ?? 0) + 1;
        var expectedPrevious = checkpoint?.LastHash ?? AuditHash.Genesis;
        long checkedCount = 0;
        long? first = null;
        BrokenLink? broken = null;

        // Records a purge should have removed would be out of place: start at the first one kept.
        var records = db.AuditRecords.AsNoTracking()
            .Where(r => r.TenantId == tenantId && r.Sequence > (checkpoint == null ? 0 : checkpoint.ThroughSequence))
            .OrderBy(r => r.Sequence)
            .AsAsyncEnumerable();
        await foreach (var record in records.WithCancellation(cancellationToken))
        {
            first ??= record.Sequence;
            checkedCount++;
            var reason = record.Sequence != expectedSequence ? $"expected record {expectedSequence} here, found {record.Sequence} (records are missing)"
                : !string.Equals(record.PreviousHash, expectedPrevious, StringComparison.Ordinal) ? "its previous hash is not the hash of the record before it"
                : !string.Equals(AuditHash.Compute(record), record.Hash, StringComparison.Ordinal) ? "its content does not match its hash (it was changed)"
                : null;
            if (reason is not null)
            {
                broken = new BrokenLink(record.Id, record.Sequence, reason);
                break;
            }
            expectedSequence = record.Sequence + 1;
            expectedPrevious = record.Hash;
        }

        string? problem = null;
        if (broken is null)
        {
            var end = await db.AuditChains.AsNoTracking().FirstOrDefaultAsync(c => c.TenantId == tenantId, cancellationToken);
            if (end is not null && (end.LastSequence != expectedSequence - 1 || !string.Equals(end.LastHash, expectedPrevious, StringComparison.Ordinal)))
            {
                problem = $"The chain ends at record {end.LastSequence}, but the records end at {expectedSequence - 1}: records were removed from the end.";
            }
        }
        return new(broken is null && problem is null, checkedCount, first, expectedSequence - 1, expectedPrevious,
            checkpoint?.ThroughSequence, broken, problem ?? (broken is null ? null : $"Record {broken.Sequence} does not verify: {broken.Reason}."),
            clock.Elapsed.TotalMilliseconds);
    }
}
