using DocAIche.WebSocket.IntegrationEvents.EventHandling;
using DocAIche.WebSocket.LiveUpdates;

namespace DocAIche.WebSocket;

internal static class Extensions
{
    public static IHostApplicationBuilder AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<LiveUpdateOptions>()
            .Bind(builder.Configuration.GetSection(LiveUpdateOptions.Section))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton<LiveConnections>();

        // Every instance serves its own clients, so every instance needs every event: each gets a
        // queue of its own that disappears with it.
        var instance = Guid.NewGuid().ToString("N")[..12];
        builder.AddMessaging("websocket", bus => bus.AddConsumer<DocumentIndexedNotifier>()
            .Endpoint(endpoint =>
            {
                endpoint.InstanceId = instance;
                endpoint.Temporary = true;
            }));
        builder.AddDefaultAuthentication();
        return builder;
    }
}
