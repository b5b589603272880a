using System.Text.Json;
using Microsoft.EntityFrameworkCore;

namespace DocAIche.ServiceDefaults.Messaging;

public static class IntegrationEventModel
{
    internal static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);

    /// <summary>Adds the outbox and inbox tables to a service's model; call from <c>OnModelCreating</c>.</summary>
    public static ModelBuilder AddIntegrationEventTables(this ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<OutboxMessage>(outbox =>
        {
            outbox.ToTable("outbox_messages");
            outbox.HasKey(m => m.Sequence);
            outbox.Property(m => m.Sequence).ValueGeneratedOnAdd();
            outbox.HasIndex(m => m.MessageId).IsUnique();
            outbox.Property(m => m.MessageType).HasMaxLength(512);
            outbox.Property(m => m.LastError).HasMaxLength(2000);
            // The dispatcher's query: pending messages in order.
            outbox.HasIndex(m => m.Sequence).HasFilter("\"SentAt\" IS NULL").HasDatabaseName("ix_outbox_messages_pending");
            // The retention purge's query: sent messages by age.
            outbox.HasIndex(m => m.SentAt).HasFilter("\"SentAt\" IS NOT NULL").HasDatabaseName("ix_outbox_messages_sent");
        });

        modelBuilder.Entity<InboxMessage>(inbox =>
        {
            inbox.ToTable("inbox_messages");
            inbox.HasKey(m => new { m.MessageId, m.Consumer });
            inbox.Property(m => m.Consumer).HasMaxLength(256);
            inbox.HasIndex(m => m.ProcessedAt);
        });

        return modelBuilder;
    }

    /// <summary>
    /// Queues an integration event in the outbox. It is saved by the caller's next
    /// <c>SaveChanges</c>, in the same transaction as the state change, and published after commit.
    /// </summary>
    public static OutboxMessage AddIntegrationEvent<TEvent>(this DbContext db, TEvent integrationEvent, TimeProvider? time = null)
        where TEvent : class
    {
        var type = integrationEvent.GetType();
        var message = new OutboxMessage
        {
            MessageId = Guid.CreateVersion7(),
            MessageType = $"{type.FullName}, {type.Assembly.GetName().Name}",
            Body = JsonSerializer.Serialize(integrationEvent, type, JsonOptions),
            CreatedAt = (time ?? TimeProvider.System).GetUtcNow(),
        };
        db.Set<OutboxMessage>().Add(message);
        return message;
    }
}
