using DocAIche.ServiceDefaults.Data;
namespace DocAIche.Audit.Model;

/// <summary>
/// One link of a tenant's audit chain: something that happened in DocAIche, recorded once. Its
/// <see cref="Hash"/> covers <see cref="PreviousHash"/> and every other column, so changing, removing
/// or reordering a record is visible to <c>GET /api/v1/audit/verify</c>. Personal data (a user
/// actor, the client address, details, a user target) is sealed with its subject's key, so erasing
/// the subject destroys the key and not the record: the chain still verifies.
/// </summary>
public sealed class AuditRecord : ITenantOwned
{
    public long Id { get; set; }

    public required string TenantId { get; set; }

    /// <summary>Position in the tenant's chain, from 1, without gaps.</summary>
    public long Sequence { get; set; }

    /// <summary>When it happened, as the announcing service committed it.</summary>
    public DateTimeOffset OccurredAt { get; set; }

    public DateTimeOffset RecordedAt { get; set; }

    /// <summary><c>user</c>, <c>apikey</c>, <c>client</c>, <c>service</c> or <c>anonymous</c>.</summary>
    public required string ActorType { get; set; }

    /// <summary>The actor in clear when it is not personal data (<c>service:documents</c>, <c>client:…</c>); null otherwise.</summary>
    public string? Actor { get; set; }

    /// <summary>Keyed hash of a personal actor under its subject key, to filter by actor; meaningless once the key is erased.</summary>
    public string? ActorIndex { get; set; }

    /// <summary>The subject key that sealed <see cref="ActorSealed"/>.</summary>
    public Guid? ActorKeyId { get; set; }

    /// <summary>Actor, client address and details, encrypted with the actor's subject key.</summary>
    public string? ActorSealed { get; set; }

    /// <summary>What was done, as <c>resource.verb</c> (<c>library.created</c>).</summary>
    public required string Action { get; set; }

    public required string TargetType { get; set; }

    /// <summary>The target in clear when it is not a person; null for a user target.</summary>
    public string? TargetId { get; set; }

    public string? TargetIndex { get; set; }

    public Guid? TargetKeyId { get; set; }

    /// <summary>A user target's id (and the client address and details when the actor is not a person), encrypted with the target's key.</summary>
    public string? TargetSealed { get; set; }

    public required string Outcome { get; set; }

    public string? TraceId { get; set; }

    /// <summary>Details and client address in clear, only when no person is involved.</summary>
    public string? Details { get; set; }

    /// <summary>The integration event's message id; one record per event.</summary>
    public Guid MessageId { get; set; }

    /// <summary>The previous record's hash (64 zeros for the first, or the checkpoint's after a purge).</summary>
    public required string PreviousHash { get; set; }

    /// <summary>SHA-256 of the previous hash and this record's canonical form, hex.</summary>
    public required string Hash { get; set; }
}

/// <summary>The end of a tenant's chain, locked while a record is appended.</summary>
public sealed class AuditChain : ITenantOwned
{
    public required string TenantId { get; set; }

    public long LastSequence { get; set; }

    public required string LastHash { get; set; }
}

/// <summary>
/// A signed statement that a tenant's records up to <see cref="ThroughSequence"/> were purged by
/// retention, and what the last one's hash was: verification starts from here.
/// </summary>
public sealed class AuditCheckpoint : ITenantOwned
{
    public long Id { get; set; }

    public required string TenantId { get; set; }

    public long ThroughSequence { get; set; }

    public required string LastHash { get; set; }

    public long PurgedRecords { get; set; }

    public DateTimeOffset PurgedAt { get; set; }

    /// <summary>HMAC-SHA256 under the configured checkpoint key of the fields above.</summary>
    public required string Signature { get; set; }
}

/// <summary>The key that seals one data subject's personal data in audit records; erasure deletes it.</summary>
public sealed class SubjectKey : ITenantOwned
{
    public Guid Id { get; set; }

    public required string TenantId { get; set; }

    /// <summary><c>user:{id}</c> or <c>apikey:{id}</c>.</summary>
    public required string Subject { get; set; }

    /// <summary>The 256-bit key, encrypted under the configured subject-key protection key.</summary>
    public required string Key { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}
