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

    [Fact]
    public async Task Deletes_only_sent_outbox_rows_and_inbox_rows_past_their_retention()
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
            BatchSize = 1, // several rounds
        });

        var purged = await retention.PurgeAsync(CancellationToken.None);

        Assert.Equal((1, 1), purged);
        Assert.Equal(["never-sent", "sent-recently"],
            await host.WithDbAsync(db => db.Set<OutboxMessage>().Select(m => m.MessageType).OrderBy(t => t).ToListAsync()));
        Assert.Equal(["processed-recently"],
            await host.WithDbAsync(db => db.Set<InboxMessage>().Select(m => m.Consumer).ToListAsync()));
    }
}
