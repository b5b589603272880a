using DocAIche.ServiceDefaults.Data;
using DocAIche.Audit.Infrastructure;
using DocAIche.Audit.Model;
using DocAIche.Audit.Trail;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace DocAIche.Audit.Retention;

/// <summary>What a purge did: records removed and the checkpoint that now starts the chain.</summary>
public sealed record PurgeResult(long PurgedRecords, long? ThroughSequence, string? LastHash, DateTimeOffset? PurgedAt);

/// <summary>
/// Removes a tenant's records older than its retention from the start of its chain, through the
/// database function <c>audit_purge</c> (the runtime role may not delete records any other way).
/// The function stores a checkpoint of the last purged record's hash, signed here with the
/// checkpoint key, so the records that remain still verify from it.
/// </summary>
public sealed class RetentionPurger(AuditDbContext db, ChainVerifier verifier, IOptions<RetentionOptions> options, TimeProvider time)
{
    public async Task<int> AuditRecordDaysAsync(string tenantId, CancellationToken cancellationToken) =>
        await db.RetentionPolicies.AsNoTracking().Where(p => p.TenantId == tenantId).Select(p => (int?)p.AuditRecordDays)
            .FirstOrDefaultAsync(cancellationToken) ?? options.Value.DefaultAuditRecordDays;

    public async Task<PurgeResult> PurgeAsync(string tenantId, CancellationToken cancellationToken)
    {
        var days = await AuditRecordDaysAsync(tenantId, cancellationToken);
        var now = AuditHash.Truncate(time.GetUtcNow());
        var cutoff = now - TimeSpan.FromDays(days);
        var last = await db.AuditRecords.AsNoTracking()
            .Where(r => r.TenantId == tenantId && r.RecordedAt < cutoff)
            .OrderByDescending(r => r.Sequence)
            .Select(r => new { r.Sequence, r.Hash })
            .FirstOrDefaultAsync(cancellationToken);
        if (last is null)
        {
            return new PurgeResult(0, null, null, null);
        }
        var previous = await db.AuditCheckpoints.AsNoTracking().Where(c => c.TenantId == tenantId)
            .MaxAsync(c => (long?)c.ThroughSequence, cancellationToken) ?? 0;
        var checkpoint = new AuditCheckpoint
        {
            TenantId = tenantId,
            ThroughSequence = last.Sequence,
            LastHash = last.Hash,
            PurgedRecords = last.Sequence - previous,
            PurgedAt = now,
            Signature = "",
        };
        checkpoint.Signature = AuditHash.Sign(checkpoint, verifier.CheckpointKey);
        var purged = await db.Database
            .SqlQuery<long>($"SELECT audit_purge({tenantId}, {checkpoint.ThroughSequence}, {checkpoint.LastHash}, {checkpoint.PurgedRecords}, {checkpoint.PurgedAt}, {checkpoint.Signature}) AS \"Value\"")
            .SingleAsync(cancellationToken);
        return new PurgeResult(purged, checkpoint.ThroughSequence, checkpoint.LastHash, now);
    }

    /// <summary>Every tenant with a chain (across tenants: the retention round visits each in turn).</summary>
    public Task<List<string>> TenantsAsync(CancellationToken cancellationToken) =>
        db.AuditChains.AsNoTracking().AcrossTenants().Select(c => c.TenantId).ToListAsync(cancellationToken);
}
