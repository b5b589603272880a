using System.Collections.Immutable;
using System.Security.Claims;
using DocAIche.Identity.Model;
using DocAIche.ServiceDefaults.Authentication;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace DocAIche.Identity.Tokens;

/// <summary>What a DocAIche access token says about its holder: subject, tenant, roles, scopes, audience.</summary>
public static class TokenPrincipals
{
    public static readonly ImmutableArray<string> UserScopes =
        [Scopes.OpenId, Scopes.Profile, Scopes.Email, Scopes.OfflineAccess, DocAIchePolicies.ApiScope];

    public static ClaimsPrincipal ForUser(User user, IEnumerable<string> requestedScopes)
    {
        var identity = NewIdentity($"user:{user.Id}", user.TenantId, user.Roles);
        identity.SetClaim(Claims.Email, user.Email);
        identity.SetClaim(Claims.Name, user.DisplayName);
        identity.SetScopes(requestedScopes.Intersect(UserScopes).ToImmutableArray());
        return Finish(identity);
    }

    /// <summary>A machine client's token, with the roles it may use now (<see cref="DelegatedRoles"/>).</summary>
    public static ClaimsPrincipal ForMachine(MachineClient client, IEnumerable<string> roles)
    {
        var identity = NewIdentity($"client:{client.ClientId}", client.TenantId, roles);
        identity.SetClaim(Claims.Name, client.DisplayName);
        identity.SetScopes(DocAIchePolicies.ApiScope);
        return Finish(identity);
    }

    /// <summary>An API key's token, with the roles it may use now (<see cref="DelegatedRoles"/>).</summary>
    public static ClaimsPrincipal ForApiKey(ApiKey key, IEnumerable<string> roles)
    {
        var identity = NewIdentity($"apikey:{key.Id}", key.TenantId, roles);
        identity.SetClaim(Claims.Name, key.Name);
        identity.SetScopes(DocAIchePolicies.ApiScope);
        return Finish(identity);
    }

    private static ClaimsIdentity NewIdentity(string subject, string tenantId, IEnumerable<string> roles)
    {
        var identity = new ClaimsIdentity(TokenValidationParameters.DefaultAuthenticationType, Claims.Name, Claims.Role);
        identity.SetClaim(Claims.Subject, subject);
        identity.SetClaim(DocAIcheClaims.Tenant, tenantId);
        identity.SetClaims(Claims.Role, roles.Distinct().ToImmutableArray());
        return identity;
    }

    private static ClaimsPrincipal Finish(ClaimsIdentity identity)
    {
        identity.SetResources(DocAIchePolicies.ApiAudience);
        identity.SetDestinations(claim => claim.Type switch
        {
            Claims.Name or Claims.Email when identity.HasScope(Scopes.Profile) || identity.HasScope(Scopes.Email)
                => [Destinations.AccessToken, Destinations.IdentityToken],
            // A signed-in application (the console) shows only what the person's roles allow.
            Claims.Role or DocAIcheClaims.Tenant when identity.HasScope(Scopes.Profile)
                => [Destinations.AccessToken, Destinations.IdentityToken],
            _ => [Destinations.AccessToken],
        });
        return new ClaimsPrincipal(identity);
    }
}
