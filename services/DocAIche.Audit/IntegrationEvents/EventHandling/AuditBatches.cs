using MassTransit;

namespace DocAIche.Audit.IntegrationEvents.EventHandling;

/// <summary>How audit events are batched.</summary>
public static class AuditBatches
{
    /// <summary>Events per transaction, how long a partial batch waits for more, and batches at once per instance.</summary>
    public static void Configure(BatchOptions options) => options
        .SetMessageLimit(200)
        .SetTimeLimit(TimeSpan.FromMilliseconds(20))
        .SetConcurrencyLimit(2);
}
