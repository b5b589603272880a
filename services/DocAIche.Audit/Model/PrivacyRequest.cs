using DocAIche.ServiceDefaults.Data;
namespace DocAIche.Audit.Model;

/// <summary>A data subject's export or erasure, answered by every service that holds personal data.</summary>
public sealed class PrivacyRequest : ITenantOwned
{
    public Guid Id { get; set; }

    public required string TenantId { get; set; }

    /// <summary><c>export</c> or <c>erasure</c>.</summary>
    public required string Kind { get; set; }

    /// <summary>The subject (<c>user:{id}</c>); cleared when the subject is erased.</summary>
    public string? SubjectId { get; set; }

    /// <summary>Who asked (cleared with the subject when they asked for themselves).</summary>
    public string? RequestedBy { get; set; }

    /// <summary><c>pending</c> or <c>completed</c>.</summary>
    public required string State { get; set; }

    public List<string> Services { get; set; } = [];

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? CompletedAt { get; set; }

    public List<PrivacyRequestPart> Parts { get; set; } = [];
}

/// <summary>One service's answer to a privacy request.</summary>
public sealed class PrivacyRequestPart
{
    public Guid RequestId { get; set; }

    public required string Service { get; set; }

    /// <summary>For an export, the service's data about the subject (JSON); deleted when the subject is erased.</summary>
    public string? Data { get; set; }

    /// <summary>For an erasure, what was erased, counted by kind (JSON).</summary>
    public string? Summary { get; set; }

    public DateTimeOffset At { get; set; }
}
