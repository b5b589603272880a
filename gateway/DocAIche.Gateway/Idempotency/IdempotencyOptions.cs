using System.ComponentModel.DataAnnotations;

namespace DocAIche.Gateway.Idempotency;

/// <summary>Section <c>Gateway:Idempotency</c>: how long the answers to keyed writes are kept for retries.</summary>
public sealed class IdempotencyOptions
{
    public const string Section = "Gateway:Idempotency";

    /// <summary>How long a keyed write's answer is replayed to a retry with the same key.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "7.00:00:00")]
    public TimeSpan Retention { get; set; } = TimeSpan.FromHours(24);

    /// <summary>
    /// How long a keyed write counts as in progress without word from the gateway running it (a retry
    /// meanwhile gets 409). The gateway renews it every third of this while the write runs; if that
    /// gateway dies, the key is free again after this.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:03", "00:05:00")]
    public TimeSpan InProgressLease { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The largest answer kept for replay; a larger one is remembered as done, without its body.</summary>
    [Range(1024, 16 * 1024 * 1024)]
    public int MaxResponseBytes { get; set; } = 1024 * 1024;
}
