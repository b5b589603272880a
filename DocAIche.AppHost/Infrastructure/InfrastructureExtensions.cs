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
            // Unproxied: callers reach the process itself. Through the orchestrator's development proxy, a
            // request in flight to a killed instance hung until the instance was back (the proxy kept the
            // caller's connection open), and every hop paid for a second loopback connection.
            .WithHttpEndpoint(name: "http", isProxied: false)
            .WithEnvironment("ASPNETCORE_ENVIRONMENT", builder.Environment.EnvironmentName)
            .WithEnvironment("Authentication__Issuer", issuer)
            .WithTraceSampling(builder.Configuration)
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
    /// <c>DOCAICHE_TRACE_SAMPLING</c> (0 to 1): the share of requests traced, decided where a request
    /// enters (the gateway) and followed by every service it reaches (OpenTelemetry's
    /// <c>parentbased_traceidratio</c>). Unset, every request is traced, as a developer wants. Under load,
    /// the dashboard's intake of every span competes with DocAIche for the machine's cores: cached
    /// searches through the gateway took p95 6.2 ms with every request traced, 3.2–3.7 ms with one in ten.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithTraceSampling(this IResourceBuilder<ProjectResource> project, IConfiguration configuration)
    {
        var configured = configuration["DOCAICHE_TRACE_SAMPLING"];
        if (string.IsNullOrWhiteSpace(configured))
        {
            return project;
        }
        if (!double.TryParse(configured, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var share) || share is < 0 or > 1)
        {
            throw new InvalidOperationException($"DOCAICHE_TRACE_SAMPLING is '{configured}'; give the share of requests to trace, from 0 to 1 (0.1 traces one in ten).");
        }
        return project
            .WithEnvironment("OTEL_TRACES_SAMPLER", "parentbased_traceidratio")
            .WithEnvironment("OTEL_TRACES_SAMPLER_ARG", share.ToString(System.Globalization.CultureInfo.InvariantCulture));
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
            ? builder.ExistingParameter("bootstrap-password") ?? builder.AddParameter("bootstrap-password", () => password, secret: true)
            : infrastructure.Secret("bootstrap-password");

    /// <summary>
    /// The one address people and clients reach DocAIche at: <c>DOCAICHE_PUBLIC_URL</c> (behind an
    /// ingress, its public HTTPS origin), or <c>http://127.0.0.1:{gateway port}</c> as the README says.
    /// It is the token issuer and the base of every address in the OpenID Connect discovery document,
    /// so a standard client that checks the issuer against where it found it accepts it.
    /// </summary>
    public static ReferenceExpression PublicUrl(this IDistributedApplicationBuilder builder, EndpointReference gateway) =>
        builder.PublicUrl(ReferenceExpression.Create($"http://127.0.0.1:{gateway.Property(EndpointProperty.Port)}"));

    public static ReferenceExpression PublicUrl(this IDistributedApplicationBuilder builder, ReferenceExpression local)
    {
        var configured = builder.Configuration["DOCAICHE_PUBLIC_URL"];
        if (string.IsNullOrWhiteSpace(configured))
        {
            return local;
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

    /// <summary>
    /// How many gateway instances to run: <c>DOCAICHE_GATEWAY_INSTANCES</c>, or as many as the
    /// service replicas (<paramref name="replicas"/>), 1 by default.
    /// </summary>
    public static int GatewayInstances(this IDistributedApplicationBuilder builder, int replicas = 1)
    {
        var configured = builder.Configuration["DOCAICHE_GATEWAY_INSTANCES"];
        if (string.IsNullOrWhiteSpace(configured))
        {
            return replicas;
        }
        if (!int.TryParse(configured, out var instances) || instances is < 1 or > 16)
        {
            throw new InvalidOperationException($"DOCAICHE_GATEWAY_INSTANCES is '{configured}'; give a number from 1 to 16.");
        }
        return instances;
    }

    /// <summary>How many instances of every service to run: <c>DOCAICHE_REPLICAS</c>, 1 by default, at most 4.</summary>
    public static int Replicas(this IDistributedApplicationBuilder builder)
    {
        var configured = builder.Configuration["DOCAICHE_REPLICAS"];
        if (string.IsNullOrWhiteSpace(configured))
        {
            return 1;
        }
        if (!int.TryParse(configured, out var replicas) || replicas is < 1 or > 4)
        {
            throw new InvalidOperationException($"DOCAICHE_REPLICAS is '{configured}'; give a number from 1 to 4.");
        }
        return replicas;
    }

    /// <summary>
    /// Adds <paramref name="replicas"/> instances of a service, configured alike: the first named
    /// <paramref name="name"/>, the others <c>name-2</c>, <c>name-3</c>... (their telemetry says which).
    /// </summary>
    public static IReadOnlyList<IResourceBuilder<ProjectResource>> AddServiceReplicas<TProject>(
        this IDistributedApplicationBuilder builder, string name, ReferenceExpression issuer, int replicas, Action<IResourceBuilder<ProjectResource>> configure)
        where TProject : IProjectMetadata, new() =>
        [.. Enumerable.Range(0, replicas).Select(i =>
        {
            var service = builder.AddService<TProject>(i == 0 ? name : $"{name}-{i + 1}", issuer);
            configure(service);
            return service;
        })];

    /// <summary>
    /// Service discovery for every instance of a service under the first one's name
    /// (<c>services__search__http__0</c>, <c>__1</c>...), so a caller spreads its requests over them.
    /// </summary>
    public static IResourceBuilder<T> WithReferences<T>(this IResourceBuilder<T> consumer, IReadOnlyList<IResourceBuilder<ProjectResource>> service)
        where T : IResourceWithEnvironment
    {
        consumer.WithReference(service[0]);
        var name = service[0].Resource.Name;
        for (var i = 1; i < service.Count; i++)
        {
            foreach (var endpoint in service[i].Resource.Annotations.OfType<EndpointAnnotation>())
            {
                consumer.WithEnvironment($"services__{name}__{endpoint.Name}__{i}", service[i].GetEndpoint(endpoint.Name));
            }
        }
        return consumer;
    }

    /// <summary>The proxied services, as the gateway's clusters name them.</summary>
    private static readonly string[] Clusters = ["identity", "documents", "search", "audit", "websocket", "console"];

    /// <summary>
    /// With several instances, the gateway probes each (<c>/alive</c> every 2 s, out at the first failure)
    /// and takes one that refuses connections out at once, for 5 s at a time, until it answers again.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithInstanceHealthChecks(this IResourceBuilder<ProjectResource> gateway, int replicas)
    {
        if (replicas < 2)
        {
            return gateway;
        }
        foreach (var cluster in Clusters)
        {
            var prefix = $"ReverseProxy__Clusters__{cluster}__HealthCheck__";
            gateway
                .WithEnvironment(prefix + "Active__Enabled", "true")
                .WithEnvironment(prefix + "Active__Interval", "00:00:02")
                .WithEnvironment(prefix + "Active__Timeout", "00:00:01")
                .WithEnvironment(prefix + "Active__Policy", "ConsecutiveFailures")
                .WithEnvironment(prefix + "Active__Path", "/alive")
                // Out at the first failed probe: an instance draining before it stops (4 s) is left within 2 s.
                .WithEnvironment($"ReverseProxy__Clusters__{cluster}__Metadata__ConsecutiveFailuresHealthPolicy.Threshold", "1")
                .WithEnvironment(prefix + "Passive__Enabled", "true")
                .WithEnvironment(prefix + "Passive__Policy", "TransportFailureRate")
                .WithEnvironment(prefix + "Passive__ReactivationPeriod", "00:00:05");
        }
        return gateway;
    }

    /// <summary>
    /// The front: HAProxy (from the distribution) on <paramref name="port"/>, spreading connections over
    /// <paramref name="gateways"/> gateway instances on the next ports, checking each one's <c>/alive</c>
    /// every second and sending a connection that one refuses to another.
    /// </summary>
    public static Front AddFront(this IDistributedApplicationBuilder builder, int port, int gateways)
    {
        var front = new Front(port, [.. Enumerable.Range(1, gateways).Select(i => port + i)]);
        // One folder per port, rewritten at every start rather than a new one left behind by each run.
        var folder = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), $"docaiche-front-{port}")).FullName;
        var config = Path.Combine(folder, "haproxy.cfg");
        File.WriteAllText(config, front.Configuration());
        builder.AddExecutable("front", "haproxy", folder, "-db", "-f", config)
            .WithHttpEndpoint(name: "http", port: port, isProxied: false);
        return front;
    }
}
