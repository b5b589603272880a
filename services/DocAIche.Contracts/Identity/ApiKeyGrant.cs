namespace DocAIche.Contracts.Identity;

/// <summary>
/// The token request the gateway makes to exchange an <c>X-Api-Key</c> for a short access token, and
/// the OAuth clients DocAIche registers for itself: identity issues against these names and the
/// gateway asks with them, so both read them from here.
/// </summary>
public static class ApiKeyGrant
{
    /// <summary>The extension grant type (RFC 6749 §4.5) of the exchange.</summary>
    public const string GrantType = "urn:docaiche:params:oauth:grant-type:api-key";

    /// <summary>The form parameter that carries the key.</summary>
    public const string KeyParameter = "api_key";

    /// <summary>The confidential client the gateway authenticates as; the only one allowed the grant.</summary>
    public const string GatewayClientId = "docaiche-gateway";

    /// <summary>The public client people and command-line tools sign in with (code + PKCE).</summary>
    public const string CliClientId = "docaiche-cli";
}
