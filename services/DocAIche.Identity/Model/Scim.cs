using DocAIche.ServiceDefaults.Data;

namespace DocAIche.Identity.Model;

/// <summary>
/// The bearer token a tenant's identity provider presents to provision people over SCIM 2.0. Only
/// a SHA-256 hash is kept; the token is shown once. One per tenant: a new one replaces it.
/// </summary>
public sealed class ScimToken : ITenantOwned
{
    public required string TenantId { get; set; }

    /// <summary>SHA-256 of the whole token, hex.</summary>
    public required string SecretHash { get; set; }

    public required string Prefix { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? LastUsedAt { get; set; }
}

/// <summary>A group the tenant's provider keeps over SCIM; its display name is what <see cref="IdentityProvider.GroupRoles"/> maps to roles.</summary>
public sealed class ScimGroup : ITenantOwned
{
    public Guid Id { get; set; }

    public required string TenantId { get; set; }

    public required string DisplayName { get; set; }

    public string? ExternalId { get; set; }

    public List<Guid> Members { get; set; } = [];

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }
}
