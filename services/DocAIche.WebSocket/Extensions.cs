using DocAIche.WebSocket.IntegrationEvents.EventHandling;
using DocAIche.WebSocket.LiveUpdates;

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
            bus.AddConsumer<DocumentIndexedConsumer>().Endpoint(PerInstance);
            bus.AddConsumer<IngestionJobEventsConsumer>().Endpoint(PerInstance);
            bus.AddConsumer<LibraryChangedConsumer>().Endpoint(PerInstance);
            bus.AddConsumer<SecurityAlertRaisedConsumer>().Endpoint(PerInstance);
        });
        builder.AddDefaultAuthentication();
        builder.AddRedisClient("cache", settings => settings.DisableHealthChecks = true);

        builder.Services.AddSingleton<LiveAuthenticator>();
        builder.Services.AddSingleton<LiveMetrics>();
        builder.Services.AddSingleton<ConnectionLimits>();
        // In this order: the instance is in the shared counts before the first client is admitted, and leaves them last.
        builder.Services.AddHostedService<ConnectionLimitsHeartbeat>();
        builder.Services.AddSingleton<LiveListener>();
        builder.Services.AddHostedService(services => services.GetRequiredService<LiveListener>());

        void PerInstance(MassTransit.IEndpointRegistrationConfigurator endpoint)
        {
            endpoint.InstanceId = instance;
            endpoint.Temporary = true;
        }
        return builder;
    }
}
