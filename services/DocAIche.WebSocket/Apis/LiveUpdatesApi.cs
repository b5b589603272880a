using System.Diagnostics;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using DocAIche.ServiceDefaults.Authentication;
using DocAIche.WebSocket.LiveUpdates;

namespace DocAIche.WebSocket.Apis;

public static class LiveUpdatesApi
{
    private static readonly string[] TokenParameters = ["access_token", "token", "api_key", "apikey", "key"];

    public static IEndpointRouteBuilder MapLiveUpdatesApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/ws", ConnectAsync)
            .WithName("LiveUpdates")
            .WithTags("Live updates")
            .WithSummary("Upgrade to a WebSocket that receives the tenant's events as JSON messages")
            .WithDescription("Authenticate with the Authorization header (or X-Api-Key at the gateway), or from a browser by offering the " +
                "subprotocols 'docaiche.v1' and 'docaiche.bearer.<access token>'. Tokens in the URL are refused. Then send " +
                "{\"type\":\"subscribe\",\"topic\":\"jobs|index|alerts\",\"jobId\"?,\"lastEventId\"?}, {\"type\":\"unsubscribe\",\"topic\"} " +
                "or {\"type\":\"ping\"}.")
            .RequireAuthorization(DocAIchePolicies.TenantMember);
        return app;
    }

    internal static async Task<IResult> ConnectAsync(HttpContext context, LiveConnections connections, IHostApplicationLifetime lifetime)
    {
        // URLs end up in logs and browser history: a credential there is refused even when another one is valid.
        if (TokenParameters.Any(context.Request.Query.ContainsKey))
        {
            return TypedResults.Problem(title: "Credentials in the URL", statusCode: StatusCodes.Status400BadRequest,
                detail: "Send the token in the Authorization header or as the 'docaiche.bearer.<token>' subprotocol, never in the URL.");
        }
        if (!context.WebSockets.IsWebSocketRequest)
        {
            return TypedResults.Problem(
                title: "WebSocket upgrade required",
                detail: "Connect to /ws with a WebSocket client.",
                statusCode: StatusCodes.Status426UpgradeRequired);
        }
        var caller = LiveCaller.From(context.User);
        if (!connections.TryAdmit(caller))
        {
            return TypedResults.Problem(title: "Too many connections", statusCode: StatusCodes.Status429TooManyRequests,
                detail: "You (or your tenant) hold as many live connections as allowed; close one first.");
        }

        try
        {
            // Never echo the token entry: the accepted subprotocol is the protocol's name, when offered.
            var subProtocol = context.WebSockets.WebSocketRequestedProtocols.Contains(LiveProtocol.Name) ? LiveProtocol.Name : null;
            using var socket = await context.WebSockets.AcceptWebSocketAsync(subProtocol);
            ForgetTheHandshake(context);
            using var stopping = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, lifetime.ApplicationStopping);
            await connections.ServeAsync(socket, caller, stopping.Token);
        }
        finally
        {
            connections.Release(caller);
        }
        return TypedResults.Empty;
    }

    /// <summary>
    /// A connection lives for hours on one request: what the handshake needed (the token twice, as a
    /// header and as the principal's claims, the other headers, the request's trace span) is let go,
    /// so an idle connection holds only what it uses.
    /// </summary>
    private static void ForgetTheHandshake(HttpContext context)
    {
        context.User = new ClaimsPrincipal(new ClaimsIdentity());
        context.Features.Set<IAuthenticateResultFeature>(null);
        context.Request.Headers.Clear();
        if (Activity.Current is { } handshake)
        {
            handshake.Stop();
            Activity.Current = null;
        }
    }
}
