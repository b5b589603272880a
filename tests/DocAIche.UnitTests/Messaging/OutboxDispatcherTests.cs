using DocAIche.ServiceDefaults.Messaging;
using MassTransit.Testing;
using Microsoft.EntityFrameworkCore;

namespace DocAIche.UnitTests.Messaging;

public sealed class OutboxDispatcherTests
{
    private static async Task<List<OutboxMessage>> QueueAsync(MessagingTestHost host, params string[] names)
    {
        return await host.WithDbAsync(async db =>
        {
            var messages = names.Select(name =>
            {
                var widget = new Widget { Id = Guid.NewGuid(), Name = name };
                db.Widgets.Add(widget);
                return db.AddIntegrationEvent(new WidgetCreated(widget.Id, name));
            }).ToList();
            await db.SaveChangesAsync();
            return messages;
        });
    }

    private static Task<List<OutboxMessage>> OutboxAsync(MessagingTestHost host) =>
        host.WithDbAsync(db => db.Set<OutboxMessage>().AsNoTracking().OrderBy(m => m.Sequence).ToListAsync());

    [Fact]
    public async Task Publishes_pending_events_in_commit_order_under_their_outbox_message_ids()
    {
        await using var host = await MessagingTestHost.StartAsync();
        var queued = await QueueAsync(host, "first", "second", "third");

        var result = await host.Dispatcher.DispatchPendingAsync(CancellationToken.None);

        Assert.Equal(new OutboxDispatchResult(3, Failed: false), result);
        var published = host.Harness.Published.Select<WidgetCreated>().ToList();
        Assert.Equal(["first", "second", "third"], published.Select(p => p.Context.Message.Name));
        Assert.Equal(queued.Select(m => (Guid?)m.MessageId), published.Select(p => p.Context.MessageId));
    }

    [Fact]
    public async Task Marks_an_event_sent_only_after_it_was_published()
    {
        await using var host = await MessagingTestHost.StartAsync();
        await QueueAsync(host, "only");
        Assert.All(await OutboxAsync(host), m => Assert.Null(m.SentAt));

        await host.Dispatcher.DispatchPendingAsync(CancellationToken.None);

        var message = Assert.Single(await OutboxAsync(host));
        Assert.NotNull(message.SentAt);
        Assert.Equal(1, message.Attempts);
        Assert.Null(message.LastError);
    }

    [Fact]
    public async Task Never_publishes_a_sent_event_again()
    {
        await using var host = await MessagingTestHost.StartAsync();
        await QueueAsync(host, "once");

        await host.Dispatcher.DispatchPendingAsync(CancellationToken.None);
        var second = await host.Dispatcher.DispatchPendingAsync(CancellationToken.None);

        Assert.Equal(0, second.Published);
        Assert.Single(host.Harness.Published.Select<WidgetCreated>());
    }

    [Fact]
    public async Task Keeps_an_unconfirmed_event_pending_with_its_error_and_publishes_it_once_the_broker_accepts()
    {
        await using var host = await MessagingTestHost.StartAsync();
        await QueueAsync(host, "first", "second");
        host.Failures.RefusePublications = true;

        var refused = await host.Dispatcher.DispatchPendingAsync(CancellationToken.None);

        Assert.True(refused.Failed);
        Assert.Equal(0, refused.Published);
        var pending = await OutboxAsync(host);
        Assert.All(pending, m => Assert.Null(m.SentAt));
        Assert.Equal(1, pending[0].Attempts);
        Assert.Contains("did not confirm", pending[0].LastError, StringComparison.Ordinal);
        Assert.Equal(0, pending[1].Attempts); // the batch stops at the first refusal, keeping order

        host.Failures.RefusePublications = false;
        var accepted = await host.Dispatcher.DispatchPendingAsync(CancellationToken.None);

        Assert.Equal(2, accepted.Published);
        Assert.All(await OutboxAsync(host), m => Assert.NotNull(m.SentAt));
        Assert.Equal(["first", "second"], host.Harness.Published.Select<WidgetCreated>().Select(p => p.Context.Message.Name));
    }

    [Fact]
    public async Task An_event_this_build_cannot_read_stays_pending_without_blocking_the_ones_behind_it()
    {
        await using var host = await MessagingTestHost.StartAsync();
        await host.WithDbAsync(async db =>
        {
            db.Set<OutboxMessage>().Add(new OutboxMessage
            {
                MessageId = Guid.NewGuid(),
                MessageType = "DocAIche.Nowhere.RetiredEvent, DocAIche.Nowhere",
                Body = "{}",
                CreatedAt = DateTimeOffset.UtcNow,
            });
            await db.SaveChangesAsync();
        });
        await QueueAsync(host, "behind");

        var result = await host.Dispatcher.DispatchPendingAsync(CancellationToken.None);

        Assert.Equal(1, result.Published);
        var outbox = await OutboxAsync(host);
        Assert.Null(outbox[0].SentAt);
        Assert.StartsWith("Unreadable", outbox[0].LastError, StringComparison.Ordinal);
        Assert.NotNull(outbox[1].SentAt);
    }

    [Fact]
    public async Task Publishes_no_more_than_one_batch_per_round()
    {
        await using var host = await MessagingTestHost.StartAsync(batchSize: 2);
        await QueueAsync(host, "a", "b", "c");

        var first = await host.Dispatcher.DispatchPendingAsync(CancellationToken.None);
        var second = await host.Dispatcher.DispatchPendingAsync(CancellationToken.None);

        Assert.Equal(2, first.Published);
        Assert.Equal(1, second.Published);
    }

    [Fact]
    public async Task A_commit_with_new_events_wakes_the_dispatcher()
    {
        await using var host = await MessagingTestHost.StartAsync();
        Assert.False(await host.Signal.WaitAsync(TimeSpan.Zero, CancellationToken.None));

        await QueueAsync(host, "wake");

        Assert.True(await host.Signal.WaitAsync(TimeSpan.FromSeconds(1), CancellationToken.None));
    }

    [Fact]
    public async Task A_commit_without_events_does_not_wake_the_dispatcher()
    {
        await using var host = await MessagingTestHost.StartAsync();

        await host.WithDbAsync(async db =>
        {
            db.Widgets.Add(new Widget { Id = Guid.NewGuid(), Name = "quiet" });
            await db.SaveChangesAsync();
        });

        Assert.False(await host.Signal.WaitAsync(TimeSpan.Zero, CancellationToken.None));
    }

    [Fact]
    public async Task The_background_dispatcher_publishes_a_committed_event_without_waiting_for_its_poll()
    {
        await using var host = await MessagingTestHost.StartAsync();
        await host.Dispatcher.StartAsync(CancellationToken.None);
        // Let the first (empty) round finish so the next one can only come from the signal or the 2 s poll.
        await Task.Delay(200);

        await QueueAsync(host, "prompt");

        Assert.True(await host.Harness.Published.Any<WidgetCreated>());
        await host.Dispatcher.StopAsync(CancellationToken.None);
    }
}
