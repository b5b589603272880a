using DocAIche.ServiceDefaults.Data;
using DocAIche.Contracts.Identity;
using System.Security.Claims;
using DocAIche.Identity.Infrastructure;
using DocAIche.Identity.Tokens;
using DocAIche.Identity.Model;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Authentication;
using Microsoft.EntityFrameworkCore;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace DocAIche.Identity.Apis;

/// <summary>
/// The parts of the OAuth2/OpenID Connect endpoints that decide who gets a token: OpenIddict parses
/// and validates each request, then passes it here; discovery, JWKS, introspection and revocation
/// are OpenIddict's own.
/// </summary>
public static class ConnectApi
{
    public static IEndpointRouteBuilder MapConnectApi(this IEndpointRouteBuilder app)
    {
        var connect = app.MapGroup("/connect").AllowAnonymous().ExcludeFromDescription();
        connect.MapMethods("/authorize", ["GET", "POST"], AuthorizeAsync).DisableAntiforgery();
        connect.MapPost("/token", TokenAsync).DisableAntiforgery();
        connect.MapMethods("/endsession", ["GET", "POST"], async (HttpContext http) =>
        {
            await http.SignOutAsync(SignInApi.Scheme);
            return Results.SignOut(authenticationSchemes: [OpenIddictServerAspNetCoreDefaults.AuthenticationScheme]);
        }).DisableAntiforgery();
        return app;
    }

    private static async Task<IResult> AuthorizeAsync(HttpContext http, IdentityDbContext db, CancellationToken cancellationToken)
    {
        var request = http.GetOpenIddictServerRequest() ?? throw new InvalidOperationException("Not an OpenID Connect request.");

        var signedIn = await http.AuthenticateAsync(SignInApi.Scheme);
        var user = signedIn.Succeeded ? await FindActiveUserAsync(db, signedIn.Principal!.FindFirstValue("sub"), cancellationToken) : null;
        if (user is null)
        {
            if (request.HasPromptValue(PromptValues.None))
            {
                return Forbid(Errors.LoginRequired, "The user is not signed in.");
            }
            // To the sign-in form, then back here with the same request.
            return Results.Challenge(
                new AuthenticationProperties { RedirectUri = http.Request.PathBase + http.Request.Path + QueryString.Create(request.GetParameters().Select(p => KeyValuePair.Create(p.Key, (string?)p.Value.ToString()))) },
                [SignInApi.Scheme]);
        }

        // First-party clients only: no consent screen.
        return Results.SignIn(TokenPrincipals.ForUser(user, request.GetScopes()), authenticationScheme: OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
    }

    private static async Task<IResult> TokenAsync(HttpContext http, IdentityDbContext db, TimeProvider time, CancellationToken cancellationToken)
    {
        var request = http.GetOpenIddictServerRequest() ?? throw new InvalidOperationException("Not an OpenID Connect request.");

        if (request.IsAuthorizationCodeGrantType() || request.IsRefreshTokenGrantType())
        {
            // The code or refresh token was validated by OpenIddict; the user may have changed since.
            var granted = await http.AuthenticateAsync(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
            var subject = granted.Principal?.GetClaim(Claims.Subject);
            var user = subject is not null && subject.StartsWith("user:", StringComparison.Ordinal)
                ? await FindActiveUserAsync(db, subject["user:".Length..], cancellationToken)
                : null;
            if (user is null)
            {
                return Forbid(Errors.InvalidGrant, "The user no longer exists, is disabled or is locked out.");
            }
            return Results.SignIn(TokenPrincipals.ForUser(user, granted.Principal!.GetScopes()), authenticationScheme: OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
        }

        if (request.IsClientCredentialsGrantType())
        {
            // Across tenants: the client id is the credential, and it says which tenant the token is for.
            var client = await db.MachineClients.AsNoTracking().AcrossTenants().SingleOrDefaultAsync(c => c.ClientId == request.ClientId, cancellationToken);
            if (client is null)
            {
                return Forbid(Errors.UnauthorizedClient, "This client is not registered for machine access to a tenant.");
            }
            if (await DelegatedRoles.EffectiveAsync(db, client.TenantId, client.CreatedBy, client.Roles, cancellationToken) is not { } clientRoles)
            {
                return Forbid(Errors.UnauthorizedClient, "The person who created this client no longer holds any of its roles.");
            }
            return Results.SignIn(TokenPrincipals.ForMachine(client, clientRoles), authenticationScheme: OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
        }

        if (request.GrantType == ApiKeyGrant.GrantType && request.ClientId == ApiKeyGrant.GatewayClientId)
        {
            var presented = (string?)request[ApiKeyGrant.KeyParameter];
            if (!ApiKeySecrets.LooksLikeKey(presented))
            {
                return Forbid(Errors.InvalidGrant, "The API key is not valid.");
            }
            var hash = ApiKeySecrets.Hash(presented!);
            var now = time.GetUtcNow();
            // Across tenants: the key is the credential, and it says which tenant the token is for.
            var key = await db.ApiKeys.AcrossTenants().SingleOrDefaultAsync(k => k.SecretHash == hash, cancellationToken);
            if (key is null || !key.IsUsableAt(now) ||
                await DelegatedRoles.EffectiveAsync(db, key.TenantId, key.CreatedBy, key.Roles, cancellationToken) is not { } keyRoles)
            {
                return Forbid(Errors.InvalidGrant, "The API key is not valid, expired or revoked.");
            }
            key.LastUsedAt = now;
            await db.SaveChangesAsync(cancellationToken);
            var principal = TokenPrincipals.ForApiKey(key, keyRoles);
            principal.SetAccessTokenLifetime(http.RequestServices.GetRequiredService<Microsoft.Extensions.Options.IOptions<IdentityServiceOptions>>().Value.ApiKeyTokenLifetime);
            return Results.SignIn(principal, authenticationScheme: OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
        }

        return Forbid(Errors.UnsupportedGrantType, "This grant type is not supported.");
    }

    private static async Task<User?> FindActiveUserAsync(IdentityDbContext db, string? id, CancellationToken cancellationToken)
    {
        if (!Guid.TryParse(id, out var userId))
        {
            return null;
        }
        // Across tenants: the signed-in subject (cookie or grant) names the user, whose tenant goes into the token.
        var user = await db.Users.AsNoTracking().AcrossTenants().SingleOrDefaultAsync(u => u.Id == userId, cancellationToken);
        return user is { Disabled: false } && !(user.LockedOutUntil > DateTimeOffset.UtcNow) ? user : null;
    }

    private static IResult Forbid(string error, string description) => Results.Forbid(
        new AuthenticationProperties(new Dictionary<string, string?>
        {
            [OpenIddictServerAspNetCoreConstants.Properties.Error] = error,
            [OpenIddictServerAspNetCoreConstants.Properties.ErrorDescription] = description,
        }),
        [OpenIddictServerAspNetCoreDefaults.AuthenticationScheme]);
}
