using DocAIche.ServiceDefaults.Messaging;
using MassTransit;
using MassTransit.Testing;
using Microsoft.EntityFrameworkCore;

namespace DocAIche.UnitTests.Messaging;

public sealed class InboxConsumerTests
{
    private static async Task DeliverAsync(MessagingTestHost host, Guid messageId, string name, int expectedConsumed)
    {
        await host.Harness.Bus.Publish(new WidgetCreated(Guid.NewGuid(), name), context => context.MessageId = messageId);
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (host.Deliveries.Finished < expectedConsumed)
        {
            await Task.Delay(20, deadline.Token);
        }
    }

    private static Task<int> WidgetCountAsync(MessagingTestHost host) => host.WithDbAsync(db => db.Widgets.CountAsync());

    [Fact]
    public async Task A_message_delivered_twice_is_processed_once()
    {
        await using var host = await MessagingTestHost.StartAsync();
        var messageId = Guid.NewGuid();

        await DeliverAsync(host, messageId, "twice", expectedConsumed: 1);
        await DeliverAsync(host, messageId, "twice", expectedConsumed: 2);

        Assert.Equal(1, await WidgetCountAsync(host));
        Assert.Equal(1, await host.WithDbAsync(db => db.Set<InboxMessage>().CountAsync()));
    }

    [Fact]
    public async Task Different_messages_are_each_processed()
    {
        await using var host = await MessagingTestHost.StartAsync();

        await DeliverAsync(host, Guid.NewGuid(), "one", expectedConsumed: 1);
        await DeliverAsync(host, Guid.NewGuid(), "two", expectedConsumed: 2);

        Assert.Equal(2, await WidgetCountAsync(host));
    }

    [Fact]
    public async Task A_failed_handler_leaves_neither_its_changes_nor_an_inbox_entry_so_a_redelivery_processes_it()
    {
        await using var host = await MessagingTestHost.StartAsync();
        var messageId = Guid.NewGuid();
        host.Failures.FailNextHandler = true;

        await DeliverAsync(host, messageId, "retried", expectedConsumed: 1);

        Assert.True(await host.Harness.Consumed.Any<WidgetCreated>(m => m.Exception is not null));
        Assert.Equal(0, await WidgetCountAsync(host));
        Assert.Equal(0, await host.WithDbAsync(db => db.Set<InboxMessage>().CountAsync()));

        await DeliverAsync(host, messageId, "retried", expectedConsumed: 2);

        Assert.Equal(1, await WidgetCountAsync(host));
    }
}
