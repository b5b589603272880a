namespace DocAIche.AppHost.Infrastructure;

/// <summary>The servers as containers, for machines with a healthy container runtime.</summary>
internal static class ContainerInfrastructure
{
    public static InfrastructureResources Add(IDistributedApplicationBuilder builder)
    {
        var postgres = builder.AddPostgres("postgres")
            .WithImage("pgvector/pgvector", "pg15")
            .WithDataVolume("docaiche-postgres");
        var redis = builder.AddRedis("cache");
        var rabbitmq = builder.AddRabbitMQ("messaging").WithDataVolume("docaiche-rabbitmq");

        ServerDependency Database(string name)
        {
            var database = postgres.AddDatabase(name);
            return new(database, database);
        }

        return new(
            Database(Databases.Identity),
            Database(Databases.Documents),
            Database(Databases.Search),
            Database(Databases.Audit),
            new(redis, redis),
            new(rabbitmq, rabbitmq),
            // Generated once and kept in the AppHost's user secrets.
            name => builder.ExistingParameter(name) ?? builder.AddParameter(name, new GenerateParameterDefault { MinLength = 40, Special = false }, secret: true, persist: true));
    }
}

internal static class Databases
{
    public const string Identity = "identitydb";
    public const string Documents = "documentsdb";
    public const string Search = "searchdb";
    public const string Audit = "auditdb";

    public static readonly string[] All = [Identity, Documents, Search, Audit];
}
