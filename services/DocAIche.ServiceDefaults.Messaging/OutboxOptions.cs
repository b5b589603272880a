using System.ComponentModel.DataAnnotations;

namespace DocAIche.ServiceDefaults.Messaging;

/// <summary>How the outbox dispatcher works; section <c>Messaging:Outbox</c>.</summary>
public sealed class OutboxOptions
{
    public const string Section = "Messaging:Outbox";

    /// <summary>How often to look for pending events when no commit has signalled any.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:05:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Events read per round trip.</summary>
    [Range(1, 1000)]
    public int BatchSize { get; set; } = 100;

    /// <summary>How long one publication may wait for the broker's confirmation.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan PublishTimeout { get; set; } = TimeSpan.FromSeconds(30);
}
