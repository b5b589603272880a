using System.ComponentModel.DataAnnotations;

namespace DocAIche.Audit.Retention;

/// <summary>Section <c>Retention</c>: defaults and bounds of tenants' retention, and how often it is applied.</summary>
public sealed class RetentionOptions
{
    public const string Section = "Retention";

    [Range(0, 36_500)]
    public int DefaultAuditRecordDays { get; set; } = 365;

    [Range(0, 36_500)]
    public int DefaultQueryHistoryDays { get; set; } = 90;

    /// <summary>The shortest retention a tenant may choose (0 lets tests purge what was just written).</summary>
    [Range(0, 36_500)]
    public int MinimumDays { get; set; } = 1;

    [Range(1, 36_500)]
    public int MaximumDays { get; set; } = 3650;

    [Range(typeof(TimeSpan), "00:00:10", "7.00:00:00")]
    public TimeSpan PurgeInterval { get; set; } = TimeSpan.FromHours(1);
}
