namespace DocAIche.ServiceDefaults.Messaging;

/// <summary>
/// An integration event waiting to be published. It is written in the same transaction as the state
/// change that implies it, so the event exists exactly when the change does.
/// </summary>
public sealed class OutboxMessage
{
    /// <summary>Insertion order; the dispatcher publishes in this order.</summary>
    public long Sequence { get; set; }

    /// <summary>Becomes the message id on the bus, so consumers' inboxes recognise a re-publication.</summary>
    public Guid MessageId { get; set; }

    /// <summary>The event's CLR type, assembly-qualified without version.</summary>
    public required string MessageType { get; set; }

    /// <summary>The event serialised as JSON.</summary>
    public required string Body { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>When the broker confirmed the publication; null while pending.</summary>
    public DateTimeOffset? SentAt { get; set; }

    public int Attempts { get; set; }

    public string? LastError { get; set; }
}
