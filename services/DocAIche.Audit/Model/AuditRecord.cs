namespace DocAIche.Audit.Model;

/// <summary>Something that happened in DocAIche, recorded once from the integration event that announced it.</summary>
public sealed class AuditRecord
{
    public long Id { get; set; }

    public required string TenantId { get; set; }

    /// <summary>When it happened, as the announcing service committed it.</summary>
    public DateTimeOffset OccurredAt { get; set; }

    public DateTimeOffset RecordedAt { get; set; }

    /// <summary>Who did it: a user, an API key or a service (<c>service:documents</c>).</summary>
    public required string Actor { get; set; }

    /// <summary>What was done, as <c>resource.verb</c> (<c>document.stored</c>).</summary>
    public required string Action { get; set; }

    public required string TargetType { get; set; }

    public required string TargetId { get; set; }

    public required string Outcome { get; set; }

    /// <summary>The integration event's message id; one record per event.</summary>
    public Guid MessageId { get; set; }
}
