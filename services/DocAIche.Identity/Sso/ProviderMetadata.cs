using System.Collections.Concurrent;
using DocAIche.ServiceDefaults.Networking;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;

namespace DocAIche.Identity.Sso;

/// <summary>A provider could not be read or is not what it claims to be; the message says why, in words for an administrator.</summary>
public sealed class ProviderUnavailableException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// Tenants' providers as their discovery documents describe them (endpoints and signing keys), read
/// only through the guarded network and cached per issuer; keys are read again when a token is
/// signed with one not seen before (rotation).
/// </summary>
public sealed class ProviderMetadata(GuardedNetworkForSso network, IOptions<SsoOptions> options)
{
    private readonly ConcurrentDictionary<string, ConfigurationManager<OpenIdConnectConfiguration>> managers = new(StringComparer.Ordinal);

    /// <summary>The HTTP client every request to a provider goes through.</summary>
    public HttpClient Http => network.Network.Http;

    public async Task<OpenIdConnectConfiguration> GetAsync(string authority, CancellationToken cancellationToken)
    {
        var manager = managers.GetOrAdd(Normalize(authority), key => new ConfigurationManager<OpenIdConnectConfiguration>(
            key + "/.well-known/openid-configuration",
            new OpenIdConnectConfigurationRetriever(),
            new HttpDocumentRetriever(network.Network.Http) { RequireHttps = options.Value.RequireHttps })
        {
            // A failed read is tried again soon, not after the default five minutes.
            RefreshInterval = TimeSpan.FromSeconds(30),
        });
        OpenIdConnectConfiguration configuration;
        try
        {
            configuration = await manager.GetConfigurationAsync(cancellationToken);
        }
        catch (Exception e) when (e is InvalidOperationException or IOException or HttpRequestException or ArgumentException or TaskCanceledException)
        {
            managers.TryRemove(Normalize(authority), out _);
            throw new ProviderUnavailableException(Describe(e, authority), e);
        }

        // OpenID Connect Discovery 1.0 §4.3: the document's issuer is the address it was read from.
        if (Normalize(configuration.Issuer ?? "") != Normalize(authority))
        {
            managers.TryRemove(Normalize(authority), out _);
            throw new ProviderUnavailableException($"The provider's discovery document names the issuer '{configuration.Issuer}', not '{authority}'.");
        }
        if (string.IsNullOrEmpty(configuration.AuthorizationEndpoint) || string.IsNullOrEmpty(configuration.TokenEndpoint))
        {
            throw new ProviderUnavailableException("The provider's discovery document has no authorization or token endpoint.");
        }
        return configuration;
    }

    /// <summary>Reads the provider's keys again on the next use (a token signed with an unknown key).</summary>
    public void Refresh(string authority)
    {
        if (managers.TryGetValue(Normalize(authority), out var manager))
        {
            manager.RequestRefresh();
        }
    }

    public static string Normalize(string authority) => authority.Trim().TrimEnd('/');

    private static string Describe(Exception exception, string authority)
    {
        if (GuardedNetwork.Refusal(exception) is { } refused)
        {
            return $"The provider's address is refused: {refused.Message}";
        }
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e.Message.Contains("IDX20108", StringComparison.Ordinal))
            {
                return $"The provider must be reached over HTTPS: {authority}.";
            }
        }
        return $"The provider's discovery document at {Normalize(authority)}/.well-known/openid-configuration could not be read.";
    }
}

/// <summary>The identity service's guarded network: only public addresses, plus the networks <see cref="SsoOptions.AllowedNetworks"/> opens.</summary>
public sealed class GuardedNetworkForSso(IOptions<SsoOptions> options) : IDisposable
{
    public GuardedNetwork Network { get; } = new(options.Value.AllowedNetworks, options.Value.RequestTimeout);

    public void Dispose() => Network.Dispose();
}
