using DocAIche.WebSocket.IntegrationEvents.EventHandling;
using DocAIche.WebSocket.LiveUpdates;
using Microsoft.AspNetCore.Authentication.JwtBearer;

namespace DocAIche.WebSocket;

internal static class Extensions
{
    public static IHostApplicationBuilder AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddSettings<LiveUpdateOptions>(LiveUpdateOptions.Section);
        builder.Services.AddSingleton<LiveConnections>();

        // Every instance serves its own clients, so every instance needs every event: each gets a
        // queue of its own that disappears with it.
        var instance = Guid.NewGuid().ToString("N")[..12];
        builder.AddMessaging("websocket", bus =>
        {
            bus.AddConsumer<DocumentIndexedNotifier>().Endpoint(PerInstance);
            bus.AddConsumer<IngestionJobNotifier>().Endpoint(PerInstance);
            bus.AddConsumer<LibraryChangedNotifier>().Endpoint(PerInstance);
            bus.AddConsumer<SecurityAlertNotifier>().Endpoint(PerInstance);
        });
        builder.AddDefaultAuthentication();

        void PerInstance(MassTransit.IEndpointRegistrationConfigurator endpoint)
        {
            endpoint.InstanceId = instance;
            endpoint.Temporary = true;
        }

        // Browsers cannot set headers on a WebSocket: they offer the token as a subprotocol entry instead.
        builder.Services.PostConfigure<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme, jwt =>
        {
            var next = jwt.Events?.OnMessageReceived;
            jwt.Events ??= new JwtBearerEvents();
            jwt.Events.OnMessageReceived = async context =>
            {
                if (next is not null)
                {
                    await next(context);
                }
                if (context.Token is null && context.Request.Headers.Authorization.Count == 0 &&
                    LiveProtocol.TokenFromSubprotocols(context.Request.Headers.SecWebSocketProtocol!) is { } token)
                {
                    context.Token = token;
                }
            };
        });
        return builder;
    }
}
