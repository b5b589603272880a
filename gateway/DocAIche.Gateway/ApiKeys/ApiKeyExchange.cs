using DocAIche.Contracts.Identity;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace DocAIche.Gateway.ApiKeys;

/// <summary>
/// Turns an <c>X-Api-Key</c> into a short-lived access token from the identity service, so services
/// behind the gateway only ever see JWTs. Tokens are cached per key (by hash) for
/// <see cref="ApiKeyExchangeOptions.ApiKeyCacheSeconds"/>.
/// </summary>
public sealed class ApiKeyExchange(IHttpClientFactory httpClients, IMemoryCache cache, IOptions<ApiKeyExchangeOptions> options)
{
    public const string HttpClientName = "identity-token";

    private static string CacheKey(string apiKey) => "api-key:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(apiKey)));

    /// <summary>The token this key was exchanged for within the cache window, if any.</summary>
    public bool TryGetCached(string apiKey, out string? accessToken) => cache.TryGetValue(CacheKey(apiKey), out accessToken);

    /// <summary>Asks the identity service for a token; null when it refuses the key.</summary>
    public async Task<string?> ExchangeAsync(string apiKey, CancellationToken cancellationToken)
    {
        var cacheKey = CacheKey(apiKey);

        var settings = options.Value;
        using var request = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = ApiKeyGrant.GrantType,
            [ApiKeyGrant.KeyParameter] = apiKey,
            ["client_id"] = ApiKeyGrant.GatewayClientId,
            ["client_secret"] = settings.IdentityClientSecret,
        });
        using var response = await httpClients.CreateClient(HttpClientName).PostAsync(settings.IdentityTokenEndpoint, request, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            return null;
        }
        var token = await response.Content.ReadFromJsonAsync<TokenResponse>(cancellationToken);
        if (token?.AccessToken is not { Length: > 0 } accessToken)
        {
            return null;
        }
        var reuseFor = TimeSpan.FromSeconds(Math.Max(1, Math.Min(settings.ApiKeyCacheSeconds, token.ExpiresIn - 30)));
        cache.Set(cacheKey, accessToken, reuseFor);
        return accessToken;
    }

    private sealed record TokenResponse(
        [property: JsonPropertyName("access_token")] string? AccessToken,
        [property: JsonPropertyName("expires_in")] int ExpiresIn);
}

public static class ApiKeyExchangeMiddleware
{
    public const string HeaderName = "X-Api-Key";

    /// <summary>Replaces <c>X-Api-Key</c> with <c>Authorization: Bearer</c> before the request is proxied.</summary>
    public static IApplicationBuilder UseApiKeyExchange(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        var presented = context.Request.Headers[HeaderName];
        if (presented.Count == 0)
        {
            await next(context);
            return;
        }
        context.Request.Headers.Remove(HeaderName);

        if (presented.Count > 1 || context.Request.Headers.Authorization.Count > 0)
        {
            await Results.Problem(title: "Ambiguous credentials", detail: "Send one X-Api-Key header or an Authorization header, not both.",
                statusCode: StatusCodes.Status400BadRequest).ExecuteAsync(context);
            return;
        }

        var apiKey = presented.ToString();
        var exchange = context.RequestServices.GetRequiredService<ApiKeyExchange>();
        if (!exchange.TryGetCached(apiKey, out var token))
        {
            // A key not seen lately costs a call to the identity service: it counts as a credential attempt.
            if (!await context.RequestServices.GetRequiredService<Edge.CredentialAttemptLimiter>().TryAttemptAsync(context))
            {
                return;
            }
            token = await exchange.ExchangeAsync(apiKey, context.RequestAborted);
        }
        if (token is null)
        {
            context.Response.Headers.WWWAuthenticate = "ApiKey";
            await Results.Problem(title: "Invalid API key", detail: "The API key is unknown, expired or revoked.",
                statusCode: StatusCodes.Status401Unauthorized).ExecuteAsync(context);
            return;
        }
        context.Request.Headers.Authorization = $"Bearer {token}";
        await next(context);
    });
}
