using DocAIche.Contracts.Documents;
using DocAIche.WebSocket.LiveUpdates;
using MassTransit;

namespace DocAIche.WebSocket.IntegrationEvents.EventHandling;

/// <summary>Tells the tenant's clients subscribed to <c>index</c> that a library or its versions changed.</summary>
public sealed class LibraryChangedConsumer(LiveConnections connections) : IConsumer<LibraryChanged>
{
    public Task Consume(ConsumeContext<LibraryChanged> context)
    {
        var changed = context.Message;
        connections.Publish(changed.TenantId, jobId: null, new LiveEvent(
            (context.MessageId ?? Guid.NewGuid()).ToString(),
            LiveTopics.Index,
            "library.changed",
            new { changed.LibraryId, changed.Name, changed.Versions, changed.DefaultVersion, changed.Shared, changed.Change, changed.ChangedAt }), changed.ChangedAt);
        return Task.CompletedTask;
    }
}
