using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace DocAIche.IntegrationTests.Support;

/// <summary>Who signs in at the test provider next, as its ID token will say.</summary>
public sealed record ProviderAccount(string Subject, string Email, string Name, params string[] Groups);

/// <summary>
/// An OpenID Connect provider on 127.0.0.1 for single sign-on tests, speaking the real protocol over
/// HTTP: discovery, JWKS, authorization code with PKCE (S256) and nonce, a token endpoint that
/// authenticates its client (client_secret_basic) and signs RS256 ID tokens. Its "login page" signs
/// in whoever the test set as <see cref="NextAccount"/> at once. Knobs make it misbehave as a wrong
/// or compromised provider would: another issuer in its tokens, a signature from a key it never
/// published.
/// </summary>
public sealed class TestIdentityProvider : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly RsaSecurityKey signingKey = new(RSA.Create(2048)) { KeyId = "test-key" };
    // Same key id, different key: a token it signs names a published key but does not verify with it.
    private readonly RsaSecurityKey strangerKey = new(RSA.Create(2048)) { KeyId = "test-key" };
    private readonly ConcurrentDictionary<string, Grant> codes = new(StringComparer.Ordinal);

    private sealed record Grant(ProviderAccount Account, string ClientId, string RedirectUri, string? Nonce, string Challenge);

    private TestIdentityProvider(WebApplication app) => this.app = app;

    public Uri Issuer { get; private set; } = null!;

    public string Authority => Issuer.ToString().TrimEnd('/');

    public string ClientId { get; } = "docaiche";

    public string ClientSecret { get; } = Convert.ToBase64String(RandomNumberGenerator.GetBytes(24));

    /// <summary>The redirect URI registered for the client; set it to what DocAIche reports.</summary>
    public string? RedirectUri { get; set; }

    public ProviderAccount? NextAccount { get; set; }

    /// <summary>An issuer to write into ID tokens instead of the real one.</summary>
    public string? TokenIssuer { get; set; }

    /// <summary>Sign ID tokens with a key the provider never published.</summary>
    public bool SignWithStrangerKey { get; set; }

    /// <summary>What the last authorization request asked for (login_hint, scope...).</summary>
    public IReadOnlyDictionary<string, string> LastAuthorization { get; private set; } = new Dictionary<string, string>();

    private int tokenRequests;

    /// <summary>How many times the token endpoint was called.</summary>
    public int TokenRequests => Volatile.Read(ref tokenRequests);

    public static async Task<TestIdentityProvider> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var provider = new TestIdentityProvider(app);
        app.MapGet("/.well-known/openid-configuration", provider.Discovery);
        app.MapGet("/jwks", provider.Keys);
        app.MapGet("/authorize", provider.Authorize);
        app.MapPost("/token", provider.TokenAsync);
        await app.StartAsync();
        provider.Issuer = new Uri(app.Urls.First());
        return provider;
    }

    private IResult Discovery() => Results.Json(new Dictionary<string, object>
    {
        ["issuer"] = Authority,
        ["authorization_endpoint"] = $"{Authority}/authorize",
        ["token_endpoint"] = $"{Authority}/token",
        ["jwks_uri"] = $"{Authority}/jwks",
        ["response_types_supported"] = new[] { "code" },
        ["subject_types_supported"] = new[] { "public" },
        ["id_token_signing_alg_values_supported"] = new[] { "RS256" },
        ["code_challenge_methods_supported"] = new[] { "S256" },
        ["token_endpoint_auth_methods_supported"] = new[] { "client_secret_basic" },
    });

    private IResult Keys()
    {
        var jwk = JsonWebKeyConverter.ConvertFromRSASecurityKey(new RsaSecurityKey(signingKey.Rsa.ExportParameters(false)) { KeyId = signingKey.KeyId });
        return Results.Json(new { keys = new[] { new { kty = jwk.Kty, use = "sig", alg = "RS256", kid = jwk.Kid, n = jwk.N, e = jwk.E } } });
    }

    private IResult Authorize(HttpRequest request)
    {
        var query = request.Query.ToDictionary(q => q.Key, q => q.Value.ToString(), StringComparer.Ordinal);
        LastAuthorization = query;
        if (query.GetValueOrDefault("client_id") != ClientId || query.GetValueOrDefault("redirect_uri") is not { } redirect || redirect != RedirectUri)
        {
            return Results.BadRequest("unknown client or redirect_uri");
        }
        if (query.GetValueOrDefault("response_type") != "code" || query.GetValueOrDefault("code_challenge_method") != "S256" ||
            query.GetValueOrDefault("code_challenge") is not { Length: > 0 } challenge || !query.GetValueOrDefault("scope", "").Split(' ').Contains("openid"))
        {
            return Results.Redirect($"{redirect}?error=invalid_request&state={Uri.EscapeDataString(query.GetValueOrDefault("state", ""))}");
        }
        if (NextAccount is not { } account)
        {
            return Results.Redirect($"{redirect}?error=access_denied&state={Uri.EscapeDataString(query.GetValueOrDefault("state", ""))}");
        }
        var code = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(24));
        codes[code] = new Grant(account, ClientId, redirect, query.GetValueOrDefault("nonce"), challenge);
        return Results.Redirect($"{redirect}?code={code}&state={Uri.EscapeDataString(query.GetValueOrDefault("state", ""))}");
    }

    private async Task<IResult> TokenAsync(HttpRequest request)
    {
        Interlocked.Increment(ref tokenRequests);
        var form = await request.ReadFormAsync();
        var expected = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Uri.EscapeDataString(ClientId)}:{Uri.EscapeDataString(ClientSecret)}"));
        if (request.Headers.Authorization.ToString() != expected)
        {
            return Results.Json(new { error = "invalid_client" }, statusCode: 401);
        }
        if (form["grant_type"] != "authorization_code" || !codes.TryRemove(form["code"].ToString(), out var grant) ||
            form["redirect_uri"] != grant.RedirectUri ||
            Base64UrlEncoder.Encode(SHA256.HashData(Encoding.ASCII.GetBytes(form["code_verifier"].ToString()))) != grant.Challenge)
        {
            return Results.Json(new { error = "invalid_grant" }, statusCode: 400);
        }
        var now = DateTime.UtcNow;
        var claims = new Dictionary<string, object>
        {
            ["sub"] = grant.Account.Subject,
            ["email"] = grant.Account.Email,
            ["email_verified"] = true,
            ["name"] = grant.Account.Name,
            ["groups"] = grant.Account.Groups,
        };
        if (grant.Nonce is not null)
        {
            claims["nonce"] = grant.Nonce;
        }
        var idToken = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = TokenIssuer ?? Authority,
            Audience = grant.ClientId,
            IssuedAt = now,
            NotBefore = now,
            Expires = now.AddMinutes(5),
            Claims = claims,
            SigningCredentials = new SigningCredentials(SignWithStrangerKey ? strangerKey : signingKey, SecurityAlgorithms.RsaSha256),
        });
        return Results.Json(new { access_token = "not-used-by-docaiche", token_type = "Bearer", expires_in = 300, id_token = idToken });
    }

    public async ValueTask DisposeAsync() => await app.DisposeAsync();
}
