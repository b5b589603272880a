using DocAIche.ServiceDefaults.Messaging;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace DocAIche.UnitTests.Messaging;

public sealed class IntegrationEventRetentionTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;

    private static OutboxMessage Outbox(string name, DateTimeOffset? sentAt) => new()
    {
        MessageId = Guid.NewGuid(),
        MessageType = name,
        Body = "{}",
        CreatedAt = Now.AddDays(-60),
        SentAt = sentAt,
    };

    // PurgeAsync deletes these batches in the database (ExecuteDelete, which the in-memory provider lacks).
    [Fact]
    public async Task The_purge_takes_only_sent_outbox_rows_and_inbox_rows_past_their_retention()
    {
        await using var host = await MessagingTestHost.StartAsync();
        await host.WithDbAsync(async db =>
        {
            db.Set<OutboxMessage>().AddRange(
                Outbox("sent-long-ago", Now.AddDays(-8)),
                Outbox("sent-recently", Now.AddDays(-6)),
                Outbox("never-sent", null));
            db.Set<InboxMessage>().AddRange(
                new InboxMessage { MessageId = Guid.NewGuid(), Consumer = "processed-long-ago", ProcessedAt = Now.AddDays(-31) },
                new InboxMessage { MessageId = Guid.NewGuid(), Consumer = "processed-recently", ProcessedAt = Now.AddDays(-29) });
            await db.SaveChangesAsync();
        });
        var retention = host.CreateRetention(new IntegrationEventRetentionOptions
        {
            SentOutboxMessages = TimeSpan.FromDays(7),
            InboxMessages = TimeSpan.FromDays(30),
        });

        Assert.Equal(["sent-long-ago"],
            await host.WithDbAsync(db => retention.SentOutboxPastRetention(db, Now).Select(m => m.MessageType).ToListAsync()));
        Assert.Equal(["processed-long-ago"],
            await host.WithDbAsync(db => retention.InboxPastRetention(db, Now).Select(m => m.Consumer).ToListAsync()));
    }

    [Fact]
    public async Task The_purge_takes_a_batch_at_a_time_oldest_first()
    {
        await using var host = await MessagingTestHost.StartAsync();
        await host.WithDbAsync(async db =>
        {
            db.Set<OutboxMessage>().AddRange(Outbox("first", Now.AddDays(-9)), Outbox("second", Now.AddDays(-8)));
            db.Set<InboxMessage>().AddRange(
                new InboxMessage { MessageId = Guid.NewGuid(), Consumer = "later", ProcessedAt = Now.AddDays(-31) },
                new InboxMessage { MessageId = Guid.NewGuid(), Consumer = "earlier", ProcessedAt = Now.AddDays(-32) });
            await db.SaveChangesAsync();
        });
        var retention = host.CreateRetention(new IntegrationEventRetentionOptions { BatchSize = 1 });

        Assert.Equal(["first"],
            await host.WithDbAsync(db => retention.SentOutboxPastRetention(db, Now).Select(m => m.MessageType).ToListAsync()));
        Assert.Equal(["earlier"],
            await host.WithDbAsync(db => retention.InboxPastRetention(db, Now).Select(m => m.Consumer).ToListAsync()));
    }
}
