using DocAIche.Contracts.Documents;
using DocAIche.WebSocket.LiveUpdates;
using MassTransit;

namespace DocAIche.WebSocket.IntegrationEvents.EventHandling;

/// <summary>Shows ingestion jobs' progress and ends to the tenant's clients subscribed to <c>jobs</c>.</summary>
public sealed class IngestionJobEventsConsumer(LiveConnections connections) : IConsumer<IngestionJobProgressed>, IConsumer<IngestionJobFinished>
{
    public Task Consume(ConsumeContext<IngestionJobProgressed> context)
    {
        var progressed = context.Message;
        connections.Publish(progressed.TenantId, progressed.JobId.ToString(), Event((context.MessageId ?? Guid.NewGuid()).ToString(), progressed), progressed.At);
        return Task.CompletedTask;
    }

    public Task Consume(ConsumeContext<IngestionJobFinished> context)
    {
        var finished = context.Message;
        connections.Publish(finished.TenantId, finished.JobId.ToString(), Event((context.MessageId ?? Guid.NewGuid()).ToString(), finished), finished.At);
        return Task.CompletedTask;
    }

    /// <summary>What subscribers receive of a job's progress (the tenant is not repeated to them).</summary>
    public static LiveEvent Event(string id, IngestionJobProgressed progressed) => new(
        id, LiveTopics.Jobs, "job.progressed",
        new { progressed.JobId, progressed.SourceId, progressed.LibraryId, progressed.Version, progressed.State, progressed.Counters, progressed.At });

    /// <summary>What subscribers receive of a job's end.</summary>
    public static LiveEvent Event(string id, IngestionJobFinished finished) => new(
        id, LiveTopics.Jobs, "job.finished",
        new
        {
            finished.JobId, finished.SourceId, finished.LibraryId, finished.Version, finished.State, finished.Counters,
            finished.DocumentsChanged, finished.DocumentsRemoved, finished.Error, finished.At,
        });
}
