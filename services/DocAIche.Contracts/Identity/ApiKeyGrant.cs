namespace DocAIche.Contracts.Identity;

/// <summary>
/// The token request the gateway makes to exchange an <c>X-Api-Key</c> for a short access token, and
/// the OAuth clients DocAIche registers for itself: identity issues against these names and the
/// gateway asks with them, so both read them from here.
/// </summary>
public static class ApiKeyGrant
{
    public const string GrantType = "urn:docaiche:params:oauth:grant-type:api-key";
    public const string KeyParameter = "api_key";
    public const string GatewayClientId = "docaiche-gateway";
    public const string CliClientId = "docaiche-cli";
}
