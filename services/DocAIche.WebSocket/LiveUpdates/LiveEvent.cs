namespace DocAIche.WebSocket.LiveUpdates;

/// <summary>
/// What a client receives for an event: <c>{"id": ..., "topic": "jobs", "type": "job.progressed", "data": {...}}</c>.
/// The id is the integration event's message id; give the last one seen as <c>lastEventId</c> when
/// subscribing again to receive what was missed.
/// </summary>
public sealed record LiveEvent(string Id, string Topic, string Type, object Data);

/// <summary>An event as this instance keeps it for fan-out and replay: serialised once.</summary>
public sealed record PublishedEvent(long Sequence, string Id, string TenantId, string Topic, string? JobId, ReadOnlyMemory<byte> Payload, DateTimeOffset At);
