using DocAIche.Audit.Model;
using DocAIche.ServiceDefaults.Messaging;
using Microsoft.EntityFrameworkCore;

namespace DocAIche.Audit.Infrastructure;

public sealed class AuditDbContext(DbContextOptions<AuditDbContext> options) : DbContext(options)
{
    public DbSet<AuditRecord> AuditRecords => Set<AuditRecord>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<AuditRecord>(record =>
        {
            record.ToTable("audit_records");
            record.HasKey(r => r.Id);
            record.Property(r => r.Id).UseIdentityAlwaysColumn();
            record.Property(r => r.TenantId).HasMaxLength(64);
            record.Property(r => r.Actor).HasMaxLength(256);
            record.Property(r => r.Action).HasMaxLength(128);
            record.Property(r => r.TargetType).HasMaxLength(64);
            record.Property(r => r.TargetId).HasMaxLength(256);
            record.Property(r => r.Outcome).HasMaxLength(32);
            // A second record for the same event is impossible, not just avoided.
            record.HasIndex(r => r.MessageId).IsUnique();
            record.HasIndex(r => new { r.TenantId, r.Id });
            record.HasIndex(r => new { r.TenantId, r.TargetId });
        });

        modelBuilder.AddIntegrationEventTables();
    }
}
