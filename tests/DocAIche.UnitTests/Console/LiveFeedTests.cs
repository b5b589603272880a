using System.Text.Json;
using DocAIche.Console.Api;
using DocAIche.Console.Components.Shared;
using DocAIche.Console.Live;
using DocAIche.Contracts.Documents;
using DocAIche.WebSocket.IntegrationEvents.EventHandling;
using DocAIche.WebSocket.LiveUpdates;

namespace DocAIche.UnitTests.Console;

/// <summary>The console reads the live events exactly as the websocket service writes them.</summary>
public sealed class LiveFeedTests
{
    private static readonly Guid JobId = Guid.CreateVersion7();
    private static readonly Guid SourceId = Guid.CreateVersion7();

    private static LiveMessage Message(LiveEvent live)
    {
        using var document = JsonDocument.Parse(JsonSerializer.SerializeToUtf8Bytes(live, LiveProtocol.Json));
        return new LiveMessage(document.RootElement.GetProperty("type").GetString()!, document.RootElement.GetProperty("data").Clone());
    }

    private static Job Queued() => new(
        JobId, SourceId, "queued", "upload", "user:1", null, 0, 0, 0, 0, 0, 0, 0, 0, null, null, null, false, DateTimeOffset.UtcNow, null, null);

    [Fact]
    public void A_progress_event_moves_the_job_on_and_keeps_what_it_does_not_tell()
    {
        var live = IngestionJobEventsConsumer.Event("1", new IngestionJobProgressed(
            JobId, "tenant-a", SourceId, Guid.NewGuid(), "1.0", "Running", new IngestionCounters(10, 7, 5, 1, 1, 40), DateTimeOffset.UtcNow));

        var change = LiveFeed.JobChangeOf(Message(live))!;
        var job = change.ApplyTo(Queued());

        Assert.Equal((JobId, SourceId, "running", false), (change.JobId, change.SourceId, change.State, change.Finished));
        Assert.Equal((10, 7, 5, 1, 1, 40), (job.Discovered, job.Fetched, job.Processed, job.Skipped, job.Failed, job.Chunks));
        Assert.Equal("5 of 10 pages processed, 1 unchanged, 1 failed, 40 chunks", JobText.Progress(job));
    }

    [Fact]
    public void A_finished_event_ends_the_job_with_what_it_changed_and_why_it_failed()
    {
        var live = IngestionJobEventsConsumer.Event("2", new IngestionJobFinished(
            JobId, "tenant-a", SourceId, Guid.NewGuid(), "1.0", "failed", new IngestionCounters(2, 2, 1, 0, 1, 3), 1, 0,
            "The archive holds no document.", "user:1", DateTimeOffset.UtcNow));

        var job = LiveFeed.JobChangeOf(Message(live))!.ApplyTo(Queued());

        Assert.True(job.Finished);
        Assert.Equal((1, 0), (job.DocumentsChanged, job.DocumentsRemoved));
        Assert.Equal("1 of 2 pages processed, 1 failed, 3 chunks, 1 document changed, 0 removed. The archive holds no document.", JobText.Progress(job));
    }

    [Fact]
    public void A_security_alert_is_read_as_one_and_is_no_job_change()
    {
        var raised = new DocAIche.Contracts.Audit.SecurityAlertRaised(
            Guid.CreateVersion7(), "tenant-a", "failed-sign-ins.account", "user:42", 5, TimeSpan.FromMinutes(10), "5 failed sign-ins in 10 minutes", DateTimeOffset.UtcNow);
        var live = SecurityAlertRaisedConsumer.Event("3", raised);

        var alert = LiveFeed.AlertOf(Message(live))!;

        Assert.Equal((raised.AlertId, "failed-sign-ins.account", "user:42", 5, "5 failed sign-ins in 10 minutes"), (alert.AlertId, alert.Kind, alert.Subject, alert.Count, alert.Summary));
        Assert.Null(LiveFeed.JobChangeOf(Message(live)));
    }

    [Fact]
    public void A_job_nobody_has_picked_up_says_so() =>
        Assert.Equal("waiting for a worker", JobText.Progress(Queued()));
}
