namespace DocAIche.Identity.Model;

/// <summary>An organisation whose users, documents and audit trail are kept apart from every other's.</summary>
public sealed class Tenant
{
    /// <summary>Stable id used in tokens and in every other service's data.</summary>
    public required string Id { get; set; }

    public required string Name { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>Every local account of the tenant signs in with a password and an authenticator code (federated people: their provider decides).</summary>
    public bool MfaRequired { get; set; }
}
