using DocAIche.ServiceDefaults.Data;
namespace DocAIche.Identity.Model;

/// <summary>A person who signs in to one tenant with one or more roles.</summary>
public sealed class User : ITenantOwned
{
    public Guid Id { get; set; }

    public required string TenantId { get; set; }

    public required string Email { get; set; }

    /// <summary>Upper-case email, unique across DocAIche: an email signs in to exactly one tenant.</summary>
    public required string NormalizedEmail { get; set; }

    public required string DisplayName { get; set; }

    /// <summary>ASP.NET Core Identity's password hash; null until a password is set.</summary>
    public string? PasswordHash { get; set; }

    public List<string> Roles { get; set; } = [];

    public bool Disabled { get; set; }

    public int FailedSignIns { get; set; }

    public DateTimeOffset? LockedOutUntil { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? LastSignInAt { get; set; }

    /// <summary>For a person who signs in at the tenant's provider: its issuer and subject (<c>issuer|sub</c>); null for a local account.</summary>
    public string? ExternalSubject { get; set; }

    /// <summary>The provider's own id for the person, as SCIM provisioning gave it.</summary>
    public string? ExternalId { get; set; }

    /// <summary>The authenticator secret (TOTP), sealed; pending while <see cref="TotpEnabledAt"/> is null.</summary>
    public string? ProtectedTotpSecret { get; set; }

    /// <summary>When two-step sign-in was turned on; null when it is off.</summary>
    public DateTimeOffset? TotpEnabledAt { get; set; }

    /// <summary>The time step of the last code accepted: no code works twice.</summary>
    public long TotpLastStep { get; set; }

    /// <summary>Keyed hashes of the unused recovery codes.</summary>
    public List<string> RecoveryCodeHashes { get; set; } = [];

    public static string Normalize(string email) => email.Trim().ToUpperInvariant();
}
