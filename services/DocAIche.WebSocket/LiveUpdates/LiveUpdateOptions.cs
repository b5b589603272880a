using System.ComponentModel.DataAnnotations;

namespace DocAIche.WebSocket.LiveUpdates;

/// <summary>Section <c>LiveUpdates</c>.</summary>
public sealed class LiveUpdateOptions
{
    public const string Section = "LiveUpdates";

    /// <summary>Events waiting for one client; a client further behind is disconnected rather than allowed to grow memory.</summary>
    [Range(1, 100_000)]
    public int SendQueueLength { get; set; } = 256;

    /// <summary>
    /// How long a client whose queue overflowed may take to finish the send in progress; then its
    /// connection is cut (a close frame cannot pass a client that stopped reading).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:10:00")]
    public TimeSpan SlowClientGrace { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Largest message a client may send, in bytes.</summary>
    [Range(128, 1_048_576)]
    public int MaxClientMessageBytes { get; set; } = 4096;

    /// <summary>Messages a client may send per second (on average; twice as many in a burst).</summary>
    [Range(1, 10_000)]
    public int ClientMessagesPerSecond { get; set; } = 10;

    /// <summary>Connections one user (or API key) may hold on this instance.</summary>
    [Range(1, 1_000_000)]
    public int MaxConnectionsPerUser { get; set; } = 50;

    /// <summary>Connections one tenant may hold on this instance.</summary>
    [Range(1, 10_000_000)]
    public int MaxConnectionsPerTenant { get; set; } = 100_000;

    /// <summary>Events kept for clients that reconnect with the last id they saw.</summary>
    [Range(0, 1_000_000)]
    public int ReplayEvents { get; set; } = 10_000;

    /// <summary>How far back replay reaches.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan ReplayWindow { get; set; } = TimeSpan.FromMinutes(5);
}
