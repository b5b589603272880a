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
    public static IResourceBuilder<ProjectResource> AddService<TProject>(this IDistributedApplicationBuilder builder, string name, ReferenceExpression issuer)
        where TProject : IProjectMetadata, new() =>
        builder.AddProject<TProject>(name, launchProfileName: null)
            .FromBuiltOutput()
            .WithHttpEndpoint(name: "http")
            .WithEnvironment("ASPNETCORE_ENVIRONMENT", builder.Environment.EnvironmentName)
            .WithEnvironment("Authentication__Issuer", issuer)
            .WithHttpHealthCheck("/health");

    /// <summary>
    /// Starts the project's built assembly (<c>dotnet Service.dll</c>) rather than <c>dotnet run --no-build</c>:
    /// the SDK's <c>dotnet run</c> stays alive as the parent of every service and gateway for nothing but
    /// forwarding signals (about 137 MB resident each, seven of them), and with it gone SIGTERM reaches
    /// the service itself. The assembly is the one built in the AppHost's own configuration and target
    /// framework (the AppHost references every project, so one build makes both); where it is missing
    /// (a custom output path), the project starts the usual way.
    /// </summary>
    public static IResourceBuilder<ProjectResource> FromBuiltOutput(this IResourceBuilder<ProjectResource> project)
    {
        var projectPath = project.Resource.GetProjectMetadata().ProjectPath;
        var directory = Path.GetDirectoryName(projectPath)!;
        var output = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var assembly = Path.Combine(directory, "bin", output.Parent!.Name, output.Name, Path.GetFileNameWithoutExtension(projectPath) + ".dll");
        if (!File.Exists(assembly))
        {
            return project;
        }
        return project
            .WithAnnotation(new ExecutableAnnotation { Command = "dotnet", WorkingDirectory = directory }, ResourceAnnotationMutationBehavior.Replace)
            .WithArgs(assembly);
    }

    /// <summary>
    /// Hands one section of the AppHost's configuration to a service as environment variables
    /// (the gateway's limits, CORS origins and API-key window; ingestion's allowed networks and limits).
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithSettings(this IResourceBuilder<ProjectResource> service, IConfiguration configuration, string section)
    {
        foreach (var (key, value) in configuration.GetSection(section).AsEnumerable())
        {
            if (value is not null)
            {
                service.WithEnvironment(key.Replace(":", "__", StringComparison.Ordinal), value);
            }
        }
        return service;
    }

    /// <summary>The first owner's email: <c>DOCAICHE_BOOTSTRAP_EMAIL</c>, or owner@docaiche.local.</summary>
    public static string BootstrapEmail(this IDistributedApplicationBuilder builder) =>
        builder.Configuration["DOCAICHE_BOOTSTRAP_EMAIL"] is { Length: > 0 } email ? email : "owner@docaiche.local";

    /// <summary>
    /// The first owner's password: <c>DOCAICHE_BOOTSTRAP_PASSWORD</c> when set (a deployment parameter),
    /// otherwise generated once and kept with the other local secrets (the README says where).
    /// </summary>
    public static IResourceBuilder<ParameterResource> BootstrapPassword(this IDistributedApplicationBuilder builder, InfrastructureResources infrastructure) =>
        builder.Configuration["DOCAICHE_BOOTSTRAP_PASSWORD"] is { Length: > 0 } password
            ? builder.AddParameter("bootstrap-password", () => password, secret: true)
            : infrastructure.Secret("bootstrap-password");

    /// <summary>
    /// The one address people and clients reach DocAIche at: <c>DOCAICHE_PUBLIC_URL</c> (behind an
    /// ingress, its public HTTPS origin), or <c>http://127.0.0.1:{gateway port}</c> as the README says.
    /// It is the token issuer and the base of every address in the OpenID Connect discovery document,
    /// so a standard client that checks the issuer against where it found it accepts it.
    /// </summary>
    public static ReferenceExpression PublicUrl(this IDistributedApplicationBuilder builder, EndpointReference gateway)
    {
        var configured = builder.Configuration["DOCAICHE_PUBLIC_URL"];
        if (string.IsNullOrWhiteSpace(configured))
        {
            return ReferenceExpression.Create($"http://127.0.0.1:{gateway.Property(EndpointProperty.Port)}");
        }
        if (!Uri.TryCreate(configured.Trim(), UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps) ||
            url.AbsolutePath != "/" || url.Query.Length > 0 || url.Fragment.Length > 0 || url.UserInfo.Length > 0)
        {
            throw new InvalidOperationException(
                $"DOCAICHE_PUBLIC_URL is '{configured}'; give the origin people use to reach the gateway, such as https://docs.example.com (http or https, no path).");
        }
        var origin = url.GetLeftPart(UriPartial.Authority);
        return ReferenceExpression.Create($"{origin}");
    }

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

    /// <summary>How many gateway instances to run: <c>DOCAICHE_GATEWAY_INSTANCES</c>, 1 by default.</summary>
    public static int GatewayInstances(this IDistributedApplicationBuilder builder)
    {
        var configured = builder.Configuration["DOCAICHE_GATEWAY_INSTANCES"];
        if (string.IsNullOrWhiteSpace(configured))
        {
            return 1;
        }
        if (!int.TryParse(configured, out var instances) || instances is < 1 or > 16)
        {
            throw new InvalidOperationException($"DOCAICHE_GATEWAY_INSTANCES is '{configured}'; give a number from 1 to 16.");
        }
        return instances;
    }
}
