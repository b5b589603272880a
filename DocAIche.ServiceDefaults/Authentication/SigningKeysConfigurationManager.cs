using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;

namespace DocAIche.ServiceDefaults.Authentication;

/// <summary>
/// Gives JWT validation the issuer's signing keys, read from the identity service's JWKS inside the
/// cluster and cached. A token signed with a key it does not know yet makes JwtBearer ask for a
/// refresh, which is honoured at most every 30 seconds (new keys appear after rotation).
/// </summary>
public sealed class SigningKeysConfigurationManager(
    IHttpClientFactory httpClients,
    DocAIcheAuthenticationOptions options,
    TimeProvider time) : IConfigurationManager<OpenIdConnectConfiguration>, IDisposable
{
    public const string HttpClientName = "docaiche-signing-keys";
    private static readonly TimeSpan CacheFor = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan MinimumRefreshInterval = TimeSpan.FromSeconds(30);

    private readonly SemaphoreSlim _fetching = new(1, 1);
    private OpenIdConnectConfiguration? _current;
    private DateTimeOffset _fetchedAt = DateTimeOffset.MinValue;
    private bool _refreshRequested;

    public async Task<OpenIdConnectConfiguration> GetConfigurationAsync(CancellationToken cancel)
    {
        if (_current is { } current && !IsStale())
        {
            return current;
        }

        await _fetching.WaitAsync(cancel);
        try
        {
            if (_current is { } fetched && !IsStale())
            {
                return fetched;
            }
            try
            {
                var client = httpClients.CreateClient(HttpClientName);
                var json = await client.GetStringAsync(options.SigningKeysUri, cancel);
                var configuration = new OpenIdConnectConfiguration { Issuer = options.Issuer };
                foreach (var key in new JsonWebKeySet(json).GetSigningKeys())
                {
                    configuration.SigningKeys.Add(key);
                }
                _current = configuration;
                _fetchedAt = time.GetUtcNow();
                _refreshRequested = false;
                return configuration;
            }
            catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
            {
                // Keep validating with the keys we have while the identity service is away; with none
                // yet, nothing validates (401) and the next request tries again.
                return _current ?? new OpenIdConnectConfiguration { Issuer = options.Issuer };
            }
        }
        finally
        {
            _fetching.Release();
        }
    }

    public void RequestRefresh() => _refreshRequested = true;

    public void Dispose() => _fetching.Dispose();

    private bool IsStale()
    {
        var age = time.GetUtcNow() - _fetchedAt;
        return age > CacheFor || (_refreshRequested && age > MinimumRefreshInterval);
    }
}
