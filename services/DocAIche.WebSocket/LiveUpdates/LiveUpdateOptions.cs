using System.ComponentModel.DataAnnotations;

namespace DocAIche.WebSocket.LiveUpdates;

/// <summary>Section <c>LiveUpdates</c>.</summary>
public sealed class LiveUpdateOptions
{
    public const string Section = "LiveUpdates";

    /// <summary>Events waiting for one client; a client further behind is disconnected rather than allowed to grow memory.</summary>
    [Range(1, 100_000)]
    public int SendQueueLength { get; set; } = 256;

    /// <summary>Largest message a client may send, in bytes.</summary>
    [Range(128, 1_048_576)]
    public int MaxClientMessageBytes { get; set; } = 4096;
}
