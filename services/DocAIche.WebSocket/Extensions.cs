using DocAIche.ServiceDefaults.Quotas;
using DocAIche.WebSocket.IntegrationEvents.EventHandling;
using DocAIche.WebSocket.LiveUpdates;
using MassTransit;

namespace DocAIche.WebSocket;

internal static class Extensions
{
    /// <summary>How long an instance's queue outlives its last reader (a stopped instance's, or one cut off from the broker).</summary>
    private static readonly TimeSpan QueueExpiry = TimeSpan.FromMinutes(5);

    public static IHostApplicationBuilder AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddSettings<LiveUpdateOptions>(LiveUpdateOptions.Section);
        builder.Services.AddSingleton<LiveConnections>();

        // Every instance serves its own clients, so every instance needs every event: each gets a
        // queue of its own. Durable, so that it and its bindings outlive a broker restart (a temporary
        // one vanished with the broker, and the events published before the instance declared it again
        // reached no client: 69 of 973 in the fault campaign); the broker deletes it once no instance
        // has read it for QueueExpiry, so the queues of stopped instances go too.
        var instance = Guid.NewGuid().ToString("N")[..12];
        builder.AddMessaging("websocket", bus =>
        {
            bus.AddConsumer<DocumentIndexedConsumer>().Endpoint(PerInstance);
            bus.AddConsumer<IngestionJobEventsConsumer>().Endpoint(PerInstance);
            bus.AddConsumer<LibraryChangedConsumer>().Endpoint(PerInstance);
            bus.AddConsumer<SecurityAlertRaisedConsumer>().Endpoint(PerInstance);
            bus.AddRabbitMqConfigureEndpointsCallback((_, name, endpoint) =>
            {
                if (name.Contains(instance, StringComparison.Ordinal))
                {
                    endpoint.QueueExpiration = QueueExpiry;
                }
            });
        });
        builder.AddDefaultAuthentication();
        builder.AddRedisClient("cache", settings => settings.DisableHealthChecks = true);
        // The tenants' live-connections quotas, which identity writes to Redis.
        builder.Services.AddTenantQuotas();
        builder.Services.AddSingleton<LiveQuotaAlerts>();

        builder.Services.AddSingleton<LiveAuthenticator>();
        builder.Services.AddSingleton<LiveMetrics>();
        builder.Services.AddSingleton<ConnectionLimits>();
        // In this order: the instance is in the shared counts before the first client is admitted, and leaves them last.
        builder.Services.AddHostedService<ConnectionLimitsHeartbeat>();
        // Deprovisioned people's open connections end when identity announces it.
        builder.Services.AddHostedService<RevokedSubjectsWatcher>();
        builder.Services.AddSingleton<LiveListener>();
        builder.Services.AddHostedService(services => services.GetRequiredService<LiveListener>());

        void PerInstance(IEndpointRegistrationConfigurator endpoint)
        {
            endpoint.InstanceId = instance;
            endpoint.Temporary = false;
        }
        return builder;
    }
}
