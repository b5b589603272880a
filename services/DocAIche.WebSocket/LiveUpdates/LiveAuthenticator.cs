using DocAIche.ServiceDefaults.Authentication;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;

namespace DocAIche.WebSocket.LiveUpdates;

/// <summary>
/// Checks a live connection's access token exactly as every API endpoint does: the service's JWT
/// bearer handler (issuer, audience, lifetime, signature with identity's keys) and the
/// <see cref="DocAIchePolicies.TenantMember"/> policy, run once at the handshake.
/// </summary>
public sealed class LiveAuthenticator(IServiceScopeFactory scopes)
{
    /// <summary>The caller, or why the handshake is refused.</summary>
    public async Task<(LiveCaller? Caller, HandshakeRefusal? Refusal)> AuthenticateAsync(string? token)
    {
        if (token is null)
        {
            return (null, LiveHandshake.Unauthenticated(
                "Send an access token in the Authorization header, or offer the subprotocols 'docaiche.v1' and 'docaiche.bearer.<token>'."));
        }
        await using var scope = scopes.CreateAsyncScope();
        var context = new DefaultHttpContext { RequestServices = scope.ServiceProvider };
        context.Request.Headers.Authorization = $"Bearer {token}";
        var result = await context.AuthenticateAsync(JwtBearerDefaults.AuthenticationScheme);
        if (!result.Succeeded || result.Principal is not { } principal)
        {
            return (null, LiveHandshake.Unauthenticated("The access token is not valid (expired, or not issued by this DocAIche)."));
        }
        var authorization = await scope.ServiceProvider.GetRequiredService<IAuthorizationService>()
            .AuthorizeAsync(principal, DocAIchePolicies.TenantMember);
        if (!authorization.Succeeded)
        {
            return (null, new HandshakeRefusal(403, "Forbidden", "Live updates need a token of a tenant with the API scope."));
        }
        return (LiveCaller.From(principal), null);
    }
}
