using System.ComponentModel.DataAnnotations;

namespace DocAIche.Gateway.ApiKeys;

/// <summary>Section <c>Gateway</c>: how API keys become access tokens.</summary>
public sealed class ApiKeyExchangeOptions
{
    public const string Section = "Gateway";

    /// <summary>The identity service's token endpoint, inside the cluster.</summary>
    [Required]
    public string IdentityTokenEndpoint { get; set; } = "http://identity/connect/token";

    /// <summary>The gateway's own client secret at the identity service (a deployment secret).</summary>
    [Required, MinLength(32)]
    public string IdentityClientSecret { get; set; } = "";

    /// <summary>
    /// How long an exchanged token is reused for the same key. It is also the longest a revoked key
    /// keeps working: revocation is honoured within this many seconds.
    /// </summary>
    [Range(1, 300)]
    public int ApiKeyCacheSeconds { get; set; } = 30;
}
