using System.ComponentModel.DataAnnotations;

namespace DocAIche.ServiceDefaults.Authentication;

/// <summary>Section <c>Authentication</c>: how services validate DocAIche access tokens.</summary>
public sealed class DocAIcheAuthenticationOptions
{
    public const string Section = "Authentication";

    /// <summary>The issuer tokens must carry: the public address of the gateway (the AppHost sets it).</summary>
    [Required, Url]
    public string Issuer { get; set; } = "";

    /// <summary>The audience tokens must carry.</summary>
    [Required]
    public string Audience { get; set; } = DocAIchePolicies.ApiAudience;

    /// <summary>
    /// Where the signing keys are read, inside the cluster: the identity service's JWKS through
    /// service discovery, so validation never depends on the public address being reachable.
    /// </summary>
    [Required]
    public string SigningKeysUri { get; set; } = "http://identity/.well-known/jwks";

    /// <summary>Tolerated clock difference between issuer and validator.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:05:00")]
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromSeconds(30);
}
