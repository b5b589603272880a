using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace DocAIche.AppHost.Infrastructure;

/// <summary>
/// The servers as local processes from the distribution's packages, for machines without a
/// container engine (CI included). Each gets ports the orchestrator allocates, so neither a second
/// run nor a server that is already running can clash with it, a readiness check over its own
/// protocol, and its data under <c>Infrastructure:DataPath</c>. Stopping the AppHost stops them all.
/// </summary>
internal static class ExecutableInfrastructure
{
    public const string DataPathKey = "Infrastructure:DataPath";

    public static InfrastructureResources Add(IDistributedApplicationBuilder builder)
    {
        var dataPath = Path.GetFullPath(builder.Configuration[DataPathKey] ?? DefaultDataPath());
        CreateTraversableDirectory(dataPath);
        var secrets = new LocalSecrets(Path.Combine(dataPath, "secrets"));
        var servers = Path.Combine(builder.AppHostDirectory, "Servers");

        // PostgreSQL 15 with pgvector, one database per service.
        var postgresPassword = secrets.GetOrCreate("postgres-password");
        var postgresPasswordParameter = builder.AddParameter("postgres-password", () => postgresPassword, secret: true);
        var postgres = builder.AddExecutable("postgres", "bash", servers, Path.Combine(servers, "postgres.sh"), Path.Combine(dataPath, "postgres"))
            .WithEndpoint(name: "tcp", scheme: "tcp", isProxied: false)
            .WithEnvironment("DOCAICHE_POSTGRES_PASSWORD", postgresPasswordParameter);
        var postgresEndpoint = postgres.GetEndpoint("tcp");
        postgres.WithArgs(context => context.Args.Add(postgresEndpoint.Property(EndpointProperty.Port)));
        AddReadiness(builder, postgres, "postgres-ready", cancellationToken =>
            ServerReadiness.PostgresAsync(postgresEndpoint, postgresPassword, Databases.All, cancellationToken));

        ServerDependency Database(string name) => new(
            builder.AddConnectionString(name, ReferenceExpression.Create(
                $"Host=127.0.0.1;Port={postgresEndpoint.Property(EndpointProperty.Port)};Username=postgres;Password={postgresPasswordParameter};Database={name}")),
            postgres);

        // Redis: a cache, so nothing is persisted.
        var redisPassword = secrets.GetOrCreate("redis-password");
        var redisPasswordParameter = builder.AddParameter("redis-password", () => redisPassword, secret: true);
        var redisFolder = Path.Combine(dataPath, "redis");
        Directory.CreateDirectory(redisFolder);
        var redisConfig = OwnerOnlyFile.Write(Path.Combine(redisFolder, "redis.conf"),
            $"bind 127.0.0.1\nprotected-mode yes\nsave \"\"\nappendonly no\ndir {redisFolder}\nrequirepass {redisPassword}\n");
        var redis = builder.AddExecutable("redis", "redis-server", redisFolder, redisConfig)
            .WithEndpoint(name: "tcp", scheme: "tcp", isProxied: false);
        var redisEndpoint = redis.GetEndpoint("tcp");
        redis.WithArgs(context =>
        {
            context.Args.Add("--port");
            context.Args.Add(redisEndpoint.Property(EndpointProperty.Port));
        });
        AddReadiness(builder, redis, "redis-ready", cancellationToken =>
            ServerReadiness.RedisAsync(redisEndpoint, redisPassword, cancellationToken));
        var cache = builder.AddConnectionString("cache", ReferenceExpression.Create(
            $"127.0.0.1:{redisEndpoint.Property(EndpointProperty.Port)},password={redisPasswordParameter}"));

        // RabbitMQ with an epmd of its own, so no Erlang daemon outlives the run.
        var rabbitFolder = Path.Combine(dataPath, "rabbitmq");
        var epmd = builder.AddExecutable("rabbitmq-epmd", "epmd", dataPath, "-address", "127.0.0.1")
            .WithEndpoint(name: "tcp", scheme: "tcp", isProxied: false);
        var epmdEndpoint = epmd.GetEndpoint("tcp");
        epmd.WithArgs(context =>
        {
            context.Args.Add("-port");
            context.Args.Add(epmdEndpoint.Property(EndpointProperty.Port));
        });
        AddReadiness(builder, epmd, "rabbitmq-epmd-ready", cancellationToken =>
            ServerReadiness.AcceptsConnectionsAsync(epmdEndpoint, cancellationToken));

        var rabbitPassword = secrets.GetOrCreate("rabbitmq-password");
        var rabbitPasswordParameter = builder.AddParameter("rabbitmq-password", () => rabbitPassword, secret: true);
        var rabbitmq = builder.AddExecutable("rabbitmq", "bash", servers, Path.Combine(servers, "rabbitmq.sh"), rabbitFolder)
            .WithEndpoint(name: "amqp", scheme: "tcp", isProxied: false)
            .WithEndpoint(name: "distribution", scheme: "tcp", isProxied: false)
            .WithEnvironment("DOCAICHE_RABBITMQ_PASSWORD", rabbitPasswordParameter)
            .WaitFor(epmd);
        var amqpEndpoint = rabbitmq.GetEndpoint("amqp");
        var distributionEndpoint = rabbitmq.GetEndpoint("distribution");
        rabbitmq.WithArgs(context =>
        {
            context.Args.Add(amqpEndpoint.Property(EndpointProperty.Port));
            context.Args.Add(distributionEndpoint.Property(EndpointProperty.Port));
            context.Args.Add(epmdEndpoint.Property(EndpointProperty.Port));
        });
        AddReadiness(builder, rabbitmq, "rabbitmq-ready", cancellationToken =>
            ServerReadiness.RabbitMqAsync(amqpEndpoint, cancellationToken));
        var messaging = builder.AddConnectionString("messaging", ReferenceExpression.Create(
            $"amqp://docaiche:{rabbitPasswordParameter}@127.0.0.1:{amqpEndpoint.Property(EndpointProperty.Port)}/"));

        return new(
            Database(Databases.Identity),
            Database(Databases.Documents),
            Database(Databases.Search),
            Database(Databases.Audit),
            new(cache, redis),
            new(messaging, rabbitmq),
            // Generated once and kept beside the data they protect; one parameter each, however many instances use it.
            name => builder.ExistingParameter(name) ?? AddSecret(name));

        IResourceBuilder<ParameterResource> AddSecret(string name)
        {
            var value = secrets.GetOrCreate(name);
            return builder.AddParameter(name, () => value, secret: true);
        }
    }

    private static void AddReadiness(
        IDistributedApplicationBuilder builder,
        IResourceBuilder<ExecutableResource> server,
        string name,
        Func<CancellationToken, Task<Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckResult>> check)
    {
        builder.Services.AddHealthChecks().AddAsyncCheck(name, check);
        server.WithHealthCheck(name);
    }

    /// <summary>
    /// Persistent by default: /var/lib/docaiche as root, the user's data folder otherwise. Tests
    /// point <c>Infrastructure:DataPath</c> at a throwaway folder.
    /// </summary>
    private static string DefaultDataPath() =>
        Environment.UserName == "root"
            ? "/var/lib/docaiche"
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData), "docaiche");

    // PostgreSQL runs as its own user when we are root; it must be able to reach its folder.
    private static void CreateTraversableDirectory(string path)
    {
        Directory.CreateDirectory(path);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute |
                UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        }
    }
}
