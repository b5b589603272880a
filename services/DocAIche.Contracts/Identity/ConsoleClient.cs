namespace DocAIche.Contracts.Identity;

/// <summary>
/// The admin console's OpenID Connect client: identity registers it (confidential, code + PKCE) with
/// these callbacks under the public address, and the console signs people in with it.
/// </summary>
public static class ConsoleClient
{
    /// <summary>The client id the console signs in with.</summary>
    public const string ClientId = "docaiche-console";

    /// <summary>Where the token server sends the browser back with the code.</summary>
    public const string CallbackPath = "/console/signin-oidc";

    /// <summary>Where the token server sends the browser back after signing out.</summary>
    public const string SignedOutCallbackPath = "/console/signout-callback-oidc";
}
