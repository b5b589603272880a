namespace DocAIche.ServiceDefaults.Messaging;

/// <summary>
/// Remembers that a consumer has processed a message, written in the same transaction as the
/// consumer's own changes, so a redelivered message changes nothing the second time.
/// </summary>
public sealed class InboxMessage
{
    public Guid MessageId { get; set; }

    /// <summary>The consumer's name: one message may be processed once by each consumer of a service.</summary>
    public required string Consumer { get; set; }

    public DateTimeOffset ProcessedAt { get; set; }
}
