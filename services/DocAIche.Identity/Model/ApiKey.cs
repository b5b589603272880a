using DocAIche.ServiceDefaults.Data;
namespace DocAIche.Identity.Model;

/// <summary>
/// A long-lived secret a program presents as <c>X-Api-Key</c>. Only a SHA-256 hash of the secret is
/// stored; the key itself is shown once, when it is created.
/// </summary>
public sealed class ApiKey : ITenantOwned
{
    public Guid Id { get; set; }

    public required string TenantId { get; set; }

    /// <summary>The user who created it; the key never has more roles than they had.</summary>
    public Guid CreatedBy { get; set; }

    public required string Name { get; set; }

    /// <summary>The first characters of the key, to recognise it in lists.</summary>
    public required string Prefix { get; set; }

    /// <summary>SHA-256 of the whole key, hex.</summary>
    public required string SecretHash { get; set; }

    public List<string> Roles { get; set; } = [];

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? ExpiresAt { get; set; }

    public DateTimeOffset? RevokedAt { get; set; }

    public DateTimeOffset? LastUsedAt { get; set; }

    public bool IsUsableAt(DateTimeOffset now) => RevokedAt is null && (ExpiresAt is null || ExpiresAt > now);
}
