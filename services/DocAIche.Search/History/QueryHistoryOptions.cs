using System.ComponentModel.DataAnnotations;

namespace DocAIche.Search.History;

/// <summary>Section <c>QueryHistory</c>.</summary>
public sealed class QueryHistoryOptions
{
    public const string Section = "QueryHistory";

    /// <summary>Whether searches are kept at all.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Days kept for tenants that never set a retention (the audit service's default says the same).</summary>
    [Range(0, 36_500)]
    public int DefaultDays { get; set; } = 90;

    /// <summary>Searches waiting to be written; beyond this, history is dropped rather than slowing searches.</summary>
    [Range(1, 1_000_000)]
    public int QueueLength { get; set; } = 10_000;

    [Range(typeof(TimeSpan), "00:00:10", "7.00:00:00")]
    public TimeSpan PurgeInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// How long searches gather before they are written together (one insert for many, rather than one
    /// per search competing with the searches for the CPU); a full batch is written at once.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")]
    public TimeSpan FlushInterval { get; set; } = TimeSpan.FromSeconds(1);
}
