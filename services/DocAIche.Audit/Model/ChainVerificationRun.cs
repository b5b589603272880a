using DocAIche.ServiceDefaults.Data;

namespace DocAIche.Audit.Model;

/// <summary>One walk of a tenant's hash chain and what it found: the verification history compliance reports show.</summary>
public sealed class ChainVerificationRun : ITenantOwned
{
    public Guid Id { get; set; }

    public required string TenantId { get; set; }

    public DateTimeOffset At { get; set; }

    /// <summary>Who asked (<c>user:…</c>, <c>apikey:…</c>...).</summary>
    public required string RequestedBy { get; set; }

    public bool Verified { get; set; }

    public long RecordsChecked { get; set; }

    public long? FirstBrokenSequence { get; set; }

    public string? Problem { get; set; }

    public double Milliseconds { get; set; }
}
