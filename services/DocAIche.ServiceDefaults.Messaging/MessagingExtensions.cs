using DocAIche.ServiceDefaults.Messaging;
using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Microsoft.Extensions.Hosting;

public static class MessagingExtensions
{
    /// <summary>The connection string name of the RabbitMQ broker, as the AppHost passes it.</summary>
    public const string ConnectionName = "messaging";

    /// <summary>
    /// Connects the service to RabbitMQ through MassTransit. Queues are named after the service
    /// (<paramref name="serviceName"/>), so each service gets its own copy of every event it consumes
    /// and its instances compete for them. Publishing waits for the broker's confirmation.
    /// </summary>
    public static IHostApplicationBuilder AddMessaging(
        this IHostApplicationBuilder builder,
        string serviceName,
        Action<IBusRegistrationConfigurator>? configureConsumers = null)
    {
        var connectionString = builder.Configuration.GetConnectionString(ConnectionName)
            ?? throw new InvalidOperationException(
                $"ConnectionStrings:{ConnectionName} is not set. The AppHost sets it; outside it, give the RabbitMQ URI (amqp://user:password@host:port/).");
        var broker = new Uri(connectionString);

        builder.Services.AddMassTransit(bus =>
        {
            // On by default, it reports usage to the vendor over the internet: a self-hosted install
            // sends nothing anywhere it was not told to.
            bus.DisableUsageTelemetry();
            bus.SetEndpointNameFormatter(new KebabCaseEndpointNameFormatter(serviceName, includeNamespace: false));
            configureConsumers?.Invoke(bus);
            // Quorum queues (Messaging:QuorumQueues) are replicated over the broker's nodes, so a
            // message survives the loss of one: on in a RabbitMQ cluster. Not for per-instance
            // (temporary) queues, which quorum queues cannot be: the websocket service leaves it off.
            if (builder.Configuration.GetValue<bool>("Messaging:QuorumQueues"))
            {
                bus.AddRabbitMqConfigureEndpointsCallback((_, _, endpoint) => endpoint.SetQuorumQueue());
            }

            bus.UsingRabbitMq((context, rabbit) =>
            {
                rabbit.Host(broker, host =>
                {
                    var credentials = broker.UserInfo.Split(':', 2);
                    if (credentials.Length == 2)
                    {
                        host.Username(Uri.UnescapeDataString(credentials[0]));
                        host.Password(Uri.UnescapeDataString(credentials[1]));
                    }
                    host.PublisherConfirmation = true;
                });
                // Transient failures (a database restart) are retried before a message is moved to
                // the service's _error queue, where it waits for an operator instead of being lost.
                rabbit.UseMessageRetry(retry => retry.Exponential(8, TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(500)));
                rabbit.ConfigureEndpoints(context);
            });
        });

        builder.Services.AddOptions<MassTransitHostOptions>().Configure(options =>
        {
            // The service must not report ready before it can receive; the health check shows the rest.
            options.WaitUntilStarted = true;
            options.StopTimeout = TimeSpan.FromSeconds(15);
        });

        return builder;
    }
}
