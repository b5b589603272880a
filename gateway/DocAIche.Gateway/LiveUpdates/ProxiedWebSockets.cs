using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http.Features;

namespace DocAIche.Gateway.LiveUpdates;

/// <summary>
/// A proxied WebSocket is one request that lives for hours. Once the service has answered 101 and
/// the connection is upgraded, what only the handshake needed (the caller's principal with the
/// whole token behind it, the request's headers) is let go: the gateway then holds little more
/// than the two sockets and the copy between them.
/// </summary>
public static class ProxiedWebSockets
{
    public static IApplicationBuilder UseProxiedWebSocketTrimming(this IApplicationBuilder app) =>
        app.Use((context, next) =>
        {
            if (context.Features.Get<IHttpUpgradeFeature>() is { IsUpgradableRequest: true } upgrade)
            {
                context.Features.Set<IHttpUpgradeFeature>(new ForgetfulUpgrade(context, upgrade));
            }
            return next(context);
        });

    private sealed class ForgetfulUpgrade(HttpContext context, IHttpUpgradeFeature inner) : IHttpUpgradeFeature
    {
        public bool IsUpgradableRequest => inner.IsUpgradableRequest;

        public async Task<Stream> UpgradeAsync()
        {
            // Called by the proxy after the service accepted: the request has been forwarded, the 101 is on its way.
            var stream = await inner.UpgradeAsync();
            context.User = new ClaimsPrincipal(new ClaimsIdentity());
            context.Features.Set<IAuthenticateResultFeature>(null);
            context.Request.Headers.Clear();
            return stream;
        }
    }
}
