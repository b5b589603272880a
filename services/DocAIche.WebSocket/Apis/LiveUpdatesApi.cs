using DocAIche.ServiceDefaults.Authentication;
using DocAIche.WebSocket.LiveUpdates;

namespace DocAIche.WebSocket.Apis;

public static class LiveUpdatesApi
{
    public static IEndpointRouteBuilder MapLiveUpdatesApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/ws", ConnectAsync)
            .WithName("LiveUpdates")
            .WithTags("Live updates")
            .WithSummary("Upgrade to a WebSocket that receives the tenant's events as JSON messages")
            .RequireAuthorization(DocAIchePolicies.Read);
        return app;
    }

    internal static async Task<IResult> ConnectAsync(HttpContext context, LiveConnections connections, IHostApplicationLifetime lifetime)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            return TypedResults.Problem(
                title: "WebSocket upgrade required",
                detail: "Connect to /ws with a WebSocket client.",
                statusCode: StatusCodes.Status426UpgradeRequired);
        }

        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, lifetime.ApplicationStopping);
        await connections.ServeAsync(socket, context.User.GetTenantId(), stopping.Token);
        return TypedResults.Empty;
    }
}
