using System.Net;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Features.Authentication;
using Yarp.ReverseProxy.Transforms;

namespace DocAIche.Gateway.LiveUpdates;

/// <summary>
/// A proxied WebSocket is one request that lives for hours. Once the service has answered 101 and
/// the connection is upgraded, what only the handshake needed (the caller's principal with the
/// whole token behind it, the request's headers here and in the request forwarded upstream) is let
/// go: the gateway then holds little more than the two sockets and the copy between them.
/// </summary>
public static class ProxiedWebSockets
{
    /// <summary>The forwarded request's headers (the token among them) are dropped once the service has switched protocols.</summary>
    public static IReverseProxyBuilder AddProxiedWebSocketTrimming(this IReverseProxyBuilder proxy) =>
        proxy.AddTransforms(context => context.AddResponseTransform(transform =>
        {
            if (transform.ProxyResponse is { StatusCode: HttpStatusCode.SwitchingProtocols } switched)
            {
                switched.RequestMessage?.Headers.Clear();
            }
            return ValueTask.CompletedTask;
        }));

    /// <summary>
    /// Authorization, except for upgrades to anonymous endpoints (the proxy's): there it decides
    /// nothing (the service authorises), and its frame would hold the caller's principal for as long
    /// as the connection lives.
    /// </summary>
    public static IApplicationBuilder UseAuthorizationExceptForProxiedUpgrades(this IApplicationBuilder app) =>
        app.UseWhen(context => !IsProxiedUpgrade(context), branch => branch.UseAuthorization());

    private static bool IsProxiedUpgrade(HttpContext context) =>
        context.Features.Get<IHttpUpgradeFeature>() is { IsUpgradableRequest: true } &&
        context.GetEndpoint()?.Metadata.GetMetadata<Microsoft.AspNetCore.Authorization.IAllowAnonymous>() is not null;

    /// <summary>The incoming request's principal and headers are dropped once the connection is upgraded.</summary>
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
            // The authentication features keep the result (principal, token) behind the user: both are replaced.
            context.Features.Set<IHttpAuthenticationFeature>(new HttpAuthenticationFeature { User = new ClaimsPrincipal(new ClaimsIdentity()) });
            context.Features.Set<IAuthenticateResultFeature>(null);
            context.Request.Headers.Clear();
            return stream;
        }
    }
}
