using DocAIche.Contracts.Search;
using DocAIche.WebSocket.LiveUpdates;
using MassTransit;

namespace DocAIche.WebSocket.IntegrationEvents.EventHandling;

/// <summary>Tells the tenant's clients subscribed to <c>index</c> that a document is now searchable.</summary>
public sealed class DocumentIndexedConsumer(LiveConnections connections) : IConsumer<DocumentIndexed>
{
    public Task Consume(ConsumeContext<DocumentIndexed> context)
    {
        var indexed = context.Message;
        connections.Publish(indexed.TenantId, jobId: null, new LiveEvent(
            (context.MessageId ?? Guid.NewGuid()).ToString(),
            LiveTopics.Index,
            "document.indexed",
            new { indexed.DocumentId, indexed.Title, indexed.IndexedAt }), indexed.IndexedAt);
        return Task.CompletedTask;
    }
}
