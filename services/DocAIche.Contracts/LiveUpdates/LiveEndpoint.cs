namespace DocAIche.Contracts.LiveUpdates;

/// <summary>
/// Where clients open live connections, and what their URL may not carry: the gateway forwards this
/// path to the websocket service's live endpoint, and both refuse a credential in the query, so
/// both read the names from here.
/// </summary>
public static class LiveEndpoint
{
    /// <summary>The path clients connect to, at the gateway and at the service's live endpoint.</summary>
    public const string Path = "/ws";

    /// <summary>Query parameters (compared ignoring case) that would carry a credential: URLs end up in logs and browser history.</summary>
    public static readonly IReadOnlyList<string> CredentialParameters = ["access_token", "token", "api_key", "apikey", "key"];
}
