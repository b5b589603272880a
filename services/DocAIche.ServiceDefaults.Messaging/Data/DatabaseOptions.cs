namespace DocAIche.ServiceDefaults.Data;

/// <summary>Section <c>Database</c>.</summary>
public sealed class DatabaseOptions
{
    public const string Section = "Database";

    /// <summary>Apply pending migrations when the service starts. Defaults to on in Development only.</summary>
    public bool? MigrateOnStartup { get; set; }
}
