namespace DocAIche.ServiceDefaults.Data;

/// <summary>Section <c>Database</c>.</summary>
public sealed class DatabaseOptions
{
    public const string Section = "Database";

    /// <summary>Apply pending migrations when the service starts. Defaults to on in Development only.</summary>
    public bool? MigrateOnStartup { get; set; }

    /// <summary>
    /// Migrate, then stop with exit code 0: the mode of a deployment's migration job, which runs the
    /// service's own image with the schema owner's login before the new version rolls out (the
    /// service itself then runs with <see cref="MigrateOnStartup"/> off).
    /// </summary>
    public bool MigrateOnly { get; set; }
}
