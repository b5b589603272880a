using DocAIche.ServiceDefaults.Data;

namespace DocAIche.Identity.Model;

/// <summary>
/// A tenant's own OpenID Connect provider (Entra ID, Okta, Keycloak, Google Workspace...): people
/// whose email is in one of its domains sign in there, and DocAIche creates or updates their account
/// from what it asserts. One per tenant.
/// </summary>
public sealed class IdentityProvider : ITenantOwned
{
    public required string TenantId { get; set; }

    public required string DisplayName { get; set; }

    /// <summary>The provider's issuer; its discovery document is at <c>{Authority}/.well-known/openid-configuration</c>.</summary>
    public required string Authority { get; set; }

    public required string ClientId { get; set; }

    /// <summary>The client secret, sealed with the identity service's key-encryption key; never returned.</summary>
    public required string ProtectedClientSecret { get; set; }

    public List<string> Scopes { get; set; } = [];

    public string EmailClaim { get; set; } = "email";

    public string NameClaim { get; set; } = "name";

    public string GroupsClaim { get; set; } = "groups";

    /// <summary>The provider's groups that give DocAIche roles; a person in none of them may not sign in.</summary>
    public List<GroupRoles> GroupRoles { get; set; } = [];

    /// <summary>Lower-case email domains whose people sign in here (each routes to one tenant only: <see cref="SsoDomain"/>).</summary>
    public List<string> Domains { get; set; } = [];

    /// <summary>Password sign-in is off for the tenant's people.</summary>
    public bool EnforceSso { get; set; }

    public bool Enabled { get; set; } = true;

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>The tenant roles the groups give, or none.</summary>
    public List<string> RolesFor(IEnumerable<string> groups)
    {
        var held = groups.ToHashSet(StringComparer.Ordinal);
        return [.. GroupRoles.Where(g => held.Contains(g.Group)).SelectMany(g => g.Roles)
            .Where(DocAIche.ServiceDefaults.Authentication.DocAIcheRoles.IsTenantRole).Distinct().Order(StringComparer.Ordinal)];
    }
}

/// <summary>One of the provider's groups (by the value its groups claim carries) and the roles it gives.</summary>
public sealed class GroupRoles
{
    public required string Group { get; set; }

    public List<string> Roles { get; set; } = [];
}

/// <summary>An email domain and the one tenant whose provider signs its people in.</summary>
public sealed class SsoDomain : ITenantOwned
{
    public required string Domain { get; set; }

    public required string TenantId { get; set; }
}

/// <summary>
/// A sign-in sent to a provider and not back yet: what the answer must match. Used once (deleted when
/// the answer arrives), expires after minutes, and bound to the browser that started it.
/// </summary>
public sealed class SsoSignIn : ITenantOwned
{
    /// <summary>SHA-256 of the state sent to the provider, hex.</summary>
    public required string StateHash { get; set; }

    public required string TenantId { get; set; }

    /// <summary>SHA-256 of the browser's binding cookie, hex.</summary>
    public required string BrowserHash { get; set; }

    public required string Nonce { get; set; }

    public required string CodeVerifier { get; set; }

    public required string ReturnUrl { get; set; }

    public DateTimeOffset ExpiresAt { get; set; }
}
