using DocAIche.ServiceDefaults.Data;
using DocAIche.Audit.Model;
using DocAIche.ServiceDefaults.Messaging;
using Microsoft.EntityFrameworkCore;

namespace DocAIche.Audit.Infrastructure;

public sealed class AuditDbContext(DbContextOptions<AuditDbContext> options, TenantScope tenant) : TenantScopedDbContext(options, tenant)
{
    public DbSet<AuditRecord> AuditRecords => Set<AuditRecord>();

    public DbSet<AuditChain> AuditChains => Set<AuditChain>();

    public DbSet<AuditCheckpoint> AuditCheckpoints => Set<AuditCheckpoint>();

    public DbSet<SubjectKey> SubjectKeys => Set<SubjectKey>();

    public DbSet<RetentionPolicy> RetentionPolicies => Set<RetentionPolicy>();

    public DbSet<PrivacyRequest> PrivacyRequests => Set<PrivacyRequest>();

    public DbSet<PrivacyRequestPart> PrivacyRequestParts => Set<PrivacyRequestPart>();

    public DbSet<ChainVerificationRun> ChainVerificationRuns => Set<ChainVerificationRun>();

    protected override void ConfigureModel(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<AuditRecord>(record =>
        {
            record.ToTable("audit_records");
            record.HasKey(r => r.Id);
            record.Property(r => r.Id).UseIdentityAlwaysColumn();
            record.Property(r => r.TenantId).HasMaxLength(64);
            record.Property(r => r.ActorType).HasMaxLength(16);
            record.Property(r => r.Actor).HasMaxLength(256);
            record.Property(r => r.ActorIndex).HasMaxLength(64);
            record.Property(r => r.Action).HasMaxLength(128);
            record.Property(r => r.TargetType).HasMaxLength(64);
            record.Property(r => r.TargetId).HasMaxLength(256);
            record.Property(r => r.TargetIndex).HasMaxLength(64);
            record.Property(r => r.Outcome).HasMaxLength(32);
            record.Property(r => r.TraceId).HasMaxLength(32);
            record.Property(r => r.PreviousHash).HasMaxLength(64);
            record.Property(r => r.Hash).HasMaxLength(64);
            // A second record for the same event is impossible, not just avoided.
            record.HasIndex(r => r.MessageId).IsUnique();
            record.HasIndex(r => new { r.TenantId, r.Sequence }).IsUnique();
            record.HasIndex(r => new { r.TenantId, r.OccurredAt });
            record.HasIndex(r => new { r.TenantId, r.ActorIndex });
            record.HasIndex(r => new { r.TenantId, r.Actor });
            record.HasIndex(r => new { r.TenantId, r.TargetIndex });
            record.HasIndex(r => new { r.TenantId, r.TargetId });
            record.HasIndex(r => new { r.TenantId, r.Action });
        });

        modelBuilder.Entity<AuditChain>(chain =>
        {
            chain.ToTable("audit_chains");
            chain.HasKey(c => c.TenantId);
            chain.Property(c => c.TenantId).HasMaxLength(64);
            chain.Property(c => c.LastHash).HasMaxLength(64);
        });

        modelBuilder.Entity<AuditCheckpoint>(checkpoint =>
        {
            checkpoint.ToTable("audit_checkpoints");
            checkpoint.HasKey(c => c.Id);
            checkpoint.Property(c => c.Id).UseIdentityAlwaysColumn();
            checkpoint.Property(c => c.TenantId).HasMaxLength(64);
            checkpoint.Property(c => c.LastHash).HasMaxLength(64);
            checkpoint.Property(c => c.Signature).HasMaxLength(64);
            checkpoint.HasIndex(c => new { c.TenantId, c.ThroughSequence }).IsUnique();
        });

        modelBuilder.Entity<SubjectKey>(key =>
        {
            key.ToTable("subject_keys");
            key.HasKey(k => k.Id);
            key.Property(k => k.TenantId).HasMaxLength(64);
            key.Property(k => k.Subject).HasMaxLength(256);
            key.HasIndex(k => new { k.TenantId, k.Subject }).IsUnique();
        });

        modelBuilder.Entity<ChainVerificationRun>(run =>
        {
            run.ToTable("chain_verification_runs");
            run.HasKey(r => r.Id);
            run.Property(r => r.TenantId).HasMaxLength(64);
            run.Property(r => r.RequestedBy).HasMaxLength(200);
            run.Property(r => r.Problem).HasMaxLength(1000);
            run.HasIndex(r => new { r.TenantId, r.At });
        });

        modelBuilder.Entity<RetentionPolicy>(policy =>
        {
            policy.ToTable("retention_policies");
            policy.HasKey(p => p.TenantId);
            policy.Property(p => p.TenantId).HasMaxLength(64);
        });

        modelBuilder.Entity<PrivacyRequest>(request =>
        {
            request.ToTable("privacy_requests");
            request.HasKey(r => r.Id);
            request.Property(r => r.TenantId).HasMaxLength(64);
            request.Property(r => r.Kind).HasMaxLength(16);
            request.Property(r => r.SubjectId).HasMaxLength(256);
            request.Property(r => r.RequestedBy).HasMaxLength(256);
            request.Property(r => r.State).HasMaxLength(16);
            request.HasIndex(r => new { r.TenantId, r.SubjectId });
            request.HasMany(r => r.Parts).WithOne().HasForeignKey(p => p.RequestId).OnDelete(DeleteBehavior.Cascade);
        });

        modelBuilder.Entity<PrivacyRequestPart>(part =>
        {
            part.ToTable("privacy_request_parts");
            part.HasKey(p => new { p.RequestId, p.Service });
            part.Property(p => p.Service).HasMaxLength(32);
            part.Property(p => p.Summary).HasColumnType("jsonb");
        });

        modelBuilder.AddIntegrationEventTables();
    }
}
