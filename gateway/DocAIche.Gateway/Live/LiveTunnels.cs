using System.Net.Sockets;
using System.Security.Claims;
using DocAIche.Contracts.LiveUpdates;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Features.Authentication;

namespace DocAIche.Gateway.Live;

/// <summary>
/// Where forwarded live connections run: after the rest of the gateway's pipeline has returned. The
/// <c>/ws</c> endpoint only opens the connection (edge checks, handshake with the service, upgrade)
/// and leaves it here. A live connection lasts hours; had the copy run inside the endpoint, every
/// middleware in between would still be awaiting it, and the authentication middleware's wait alone
/// keeps the caller's decoded token and claims (about 18 KB) alive for the connection's whole life.
/// Once they have all returned, what only the opening request needed is let go and the tunnel runs.
/// </summary>
public static class LiveTunnels
{
    /// <summary>
    /// Runs opened live connections. Goes early in the pipeline: everything after it is done with by
    /// the time a tunnel runs. <see cref="LiveForwardingApi.MapLiveForwarding"/> needs it.
    /// </summary>
    public static IApplicationBuilder UseLiveTunnels(this IApplicationBuilder app)
    {
        var services = app.ApplicationServices;
        var lifetime = services.GetRequiredService<IHostApplicationLifetime>();
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(LiveTunnel));
        return app.Use(async (context, next) =>
        {
            // "/ws/" and "/WS" reach the endpoint too.
            if (!context.Request.Path.StartsWithSegments(LiveEndpoint.Path, StringComparison.OrdinalIgnoreCase))
            {
                await next(context);
                return;
            }

            var slot = new OpenedLiveConnection();
            context.Features.Set(slot);
            try
            {
                await next(context);
            }
            catch
            {
                slot.Service?.Dispose();
                throw;
            }
            context.Features.Set<OpenedLiveConnection>(null);
            if (slot.Client is { } client && slot.Service is { } socket)
            {
                slot.Client = null;
                slot.Service = null;
                await LetGoOfOpeningAsync(context, services);
                await LiveTunnel.RunAsync(client, socket, logger, lifetime.ApplicationStopping);
            }
        });
    }

    /// <summary>
    /// The opening request's headers (the caller's token among them), its identity, its scoped
    /// services and what the middleware left in its items: nothing reads them once the connection is
    /// a tunnel. (The endpoint stays: it is shared, and the request's span and metrics are named by its route.)
    /// </summary>
    private static async Task LetGoOfOpeningAsync(HttpContext context, IServiceProvider services)
    {
        // Header by header: Clear() keeps Kestrel's copies of the values for reuse by the connection's
        // next request (which an upgraded connection never has), the token's 2.5 KB or more among them.
        var headers = context.Request.Headers;
        foreach (var name in headers.Keys.ToArray())
        {
            headers.Remove(name);
        }
        context.User = new ClaimsPrincipal();
        context.Features.Set<IHttpAuthenticationFeature>(null);
        context.Features.Set<IAuthenticateResultFeature>(null);
        context.Items.Clear();
        if (context.Features.Get<IServiceProvidersFeature>() is IAsyncDisposable scope)
        {
            await scope.DisposeAsync();
            // Should anything ask after this, it gets the application's services rather than a disposed scope.
            context.RequestServices = services;
        }
    }
}

/// <summary>A live connection the <c>/ws</c> endpoint opened, for <see cref="LiveTunnels"/> to run once the pipeline has returned.</summary>
internal sealed class OpenedLiveConnection
{
    /// <summary>The client's upgraded stream.</summary>
    public Stream? Client { get; set; }

    /// <summary>The socket to the service, which has switched protocols.</summary>
    public Socket? Service { get; set; }
}
