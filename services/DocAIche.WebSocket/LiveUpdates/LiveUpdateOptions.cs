using System.ComponentModel.DataAnnotations;

namespace DocAIche.WebSocket.LiveUpdates;

/// <summary>Section <c>LiveUpdates</c>.</summary>
public sealed class LiveUpdateOptions : IValidatableObject
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

    /// <summary>Connections one user (or API key) may hold, across every instance.</summary>
    [Range(1, 1_000_000)]
    public int MaxConnectionsPerUser { get; set; } = 50;

    /// <summary>Connections one tenant may hold, across every instance.</summary>
    [Range(1, 10_000_000)]
    public int MaxConnectionsPerTenant { get; set; } = 100_000;

    /// <summary>The port of the live endpoint (the gateway forwards <c>/ws</c> to it); 0 picks a free one.</summary>
    [Range(0, 65_535)]
    public int Port { get; set; }

    /// <summary>The address the live endpoint listens on: loopback by default, <c>0.0.0.0</c> or <c>::</c> in a cluster.</summary>
    [Required]
    public string ListenAddress { get; set; } = "127.0.0.1";

    /// <summary>Connections the operating system may queue before they are accepted (reconnect storms).</summary>
    [Range(16, 65_535)]
    public int AcceptBacklog { get; set; } = 4096;

    /// <summary>
    /// Open files kept free for the process's own needs (reconnections, telemetry): live connections
    /// take the rest of the open-files limit, and a client past it gets a 503 to connect elsewhere.
    /// </summary>
    [Range(16, 100_000)]
    public int ReservedDescriptors { get; set; } = 512;

    /// <summary>How long a client may take to send its opening request.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:02:00")]
    public TimeSpan HandshakeTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How often an idle connection is pinged, so dead peers and idle-timeout proxies are noticed.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan KeepAliveInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>At shutdown, how long clients have to answer the "going away" close before they are cut.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")]
    public TimeSpan ShutdownGrace { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Events kept for clients that reconnect with the last id they saw.</summary>
    [Range(0, 1_000_000)]
    public int ReplayEvents { get; set; } = 10_000;

    /// <summary>How far back replay reaches.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan ReplayWindow { get; set; } = TimeSpan.FromMinutes(5);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!System.Net.IPAddress.TryParse(ListenAddress, out _))
        {
            yield return new ValidationResult("ListenAddress must be an IP address (127.0.0.1, 0.0.0.0, ::).", [nameof(ListenAddress)]);
        }
    }
}
