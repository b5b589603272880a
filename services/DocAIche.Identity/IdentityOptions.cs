using System.ComponentModel.DataAnnotations;

namespace DocAIche.Identity;

/// <summary>Section <c>Identity</c>.</summary>
public sealed class IdentityServiceOptions
{
    public const string Section = "Identity";

    /// <summary>Encrypts the token server's keys at rest. A deployment secret of at least 32 characters.</summary>
    [Required, MinLength(32)]
    public string KeyEncryptionKey { get; set; } = "";

    /// <summary>
    /// An RSA private key (PEM) to sign tokens with, when the deployment manages its own key (a
    /// Kubernetes secret, say). Unset: a key is generated once and kept encrypted in the database.
    /// </summary>
    public string? SigningKeyPem { get; set; }

    /// <summary>The secret of the <c>docaiche-gateway</c> client, which exchanges API keys for tokens.</summary>
    [Required, MinLength(32)]
    public string GatewayClientSecret { get; set; } = "";

    /// <summary>
    /// The secret of the admin console's client (<c>docaiche-console</c>). Unset: the console client is
    /// not registered and nobody can sign in to a console.
    /// </summary>
    [MinLength(32)]
    public string? ConsoleClientSecret { get; set; }

    [Range(typeof(TimeSpan), "00:01:00", "1.00:00:00")]
    public TimeSpan AccessTokenLifetime { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Lifetime of the short tokens an API key is exchanged for.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "01:00:00")]
    public TimeSpan ApiKeyTokenLifetime { get; set; } = TimeSpan.FromMinutes(5);

    [Range(typeof(TimeSpan), "00:10:00", "90.00:00:00")]
    public TimeSpan RefreshTokenLifetime { get; set; } = TimeSpan.FromDays(14);

    /// <summary>Failed sign-ins in a row that lock an account.</summary>
    [Range(1, 100)]
    public int MaxFailedSignIns { get; set; } = 5;

    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan LockoutDuration { get; set; } = TimeSpan.FromMinutes(15);

    [Range(8, 128)]
    public int MinimumPasswordLength { get; set; } = 12;
}

/// <summary>Section <c>Bootstrap</c>: the first tenant's owner, created on first start.</summary>
public sealed class BootstrapOptions
{
    public const string Section = "Bootstrap";

    [Required, EmailAddress]
    public string Email { get; set; } = "";

    /// <summary>Required only while the tenant has no user yet.</summary>
    public string? Password { get; set; }
}

/// <summary>Section <c>Sso</c>: how the identity service reaches tenants' own OpenID Connect providers.</summary>
public sealed class SsoOptions
{
    public const string Section = "Sso";

    /// <summary>
    /// Address ranges (CIDR) a provider may be on although they are private or loopback (an in-house
    /// Keycloak, say). Everything else that is not public is refused, so a tenant cannot make the
    /// identity service call the metadata service or another internal service.
    /// </summary>
    public List<string> AllowedNetworks { get; set; } = [];

    /// <summary>Providers must be reached over HTTPS; plain HTTP only where this is turned off (tests, local development).</summary>
    public bool RequireHttps { get; set; } = true;

    /// <summary>How long a person has to sign in at the provider and come back.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "01:00:00")]
    public TimeSpan SignInLifetime { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How long a request to a provider (discovery, keys, token) may take.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:01:00")]
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(10);
}
