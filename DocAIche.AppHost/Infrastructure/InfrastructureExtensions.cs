using Microsoft.Extensions.Configuration;

namespace DocAIche.AppHost.Infrastructure;

internal static class InfrastructureExtensions
{
    /// <summary>Adds PostgreSQL (pgvector), Redis and RabbitMQ in the mode <see cref="InfrastructureModeSelector"/> picks.</summary>
    public static InfrastructureResources AddDocAIcheInfrastructure(this IDistributedApplicationBuilder builder)
    {
        var mode = InfrastructureModeSelector.Select(builder.Configuration);
        Console.WriteLine($"DocAIche infrastructure mode: {mode.ToString().ToLowerInvariant()}");
        return mode == InfrastructureMode.Containers
            ? ContainerInfrastructure.Add(builder)
            : ExecutableInfrastructure.Add(builder);
    }

    /// <summary>
    /// Adds a DocAIche service on a port the orchestrator allocates, in the AppHost's environment,
    /// ready when its own <c>/health</c> says so.
    /// </summary>
    public static IResourceBuilder<ProjectResource> AddService<TProject>(this IDistributedApplicationBuilder builder, string name)
        where TProject : IProjectMetadata, new() =>
        builder.AddProject<TProject>(name, launchProfileName: null)
            .WithHttpEndpoint(name: "http")
            .WithEnvironment("ASPNETCORE_ENVIRONMENT", builder.Environment.EnvironmentName)
            .WithHttpHealthCheck("/health");

    /// <summary>
    /// The gateway's port: <c>DOCAICHE_GATEWAY_PORT</c>, 8080 by default; 0 lets the orchestrator pick one
    /// (tests do, so that they never clash with a running DocAIche).
    /// </summary>
    public static int? GatewayPort(this IDistributedApplicationBuilder builder)
    {
        var configured = builder.Configuration["DOCAICHE_GATEWAY_PORT"];
        if (string.IsNullOrWhiteSpace(configured))
        {
            return 8080;
        }
        if (!int.TryParse(configured, out var port) || port is < 0 or > 65535)
        {
            throw new InvalidOperationException($"DOCAICHE_GATEWAY_PORT is '{configured}'; give a port number (0 for any free port).");
        }
        return port == 0 ? null : port;
    }
}
