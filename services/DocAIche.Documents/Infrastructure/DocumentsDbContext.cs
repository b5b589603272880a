using DocAIche.ServiceDefaults.Data;
using DocAIche.Documents.Model;
using DocAIche.ServiceDefaults.Messaging;
using Microsoft.EntityFrameworkCore;

namespace DocAIche.Documents.Infrastructure;

public sealed class DocumentsDbContext(DbContextOptions<DocumentsDbContext> options, TenantScope tenant) : TenantScopedDbContext(options, tenant)
{
    public DbSet<Library> Libraries => Set<Library>();

    public DbSet<LibraryVersion> LibraryVersions => Set<LibraryVersion>();

    public DbSet<Source> Sources => Set<Source>();

    public DbSet<IngestionJob> IngestionJobs => Set<IngestionJob>();

    public DbSet<IngestionJobItem> IngestionJobItems => Set<IngestionJobItem>();

    public DbSet<StagedUpload> StagedUploads => Set<StagedUpload>();

    public DbSet<Document> Documents => Set<Document>();

    public DbSet<StorageUsage> StorageUsage => Set<StorageUsage>();

    public DbSet<Chunk> Chunks => Set<Chunk>();

    protected override void ConfigureModel(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Library>(library =>
        {
            library.ToTable("libraries");
            library.HasKey(l => l.Id);
            library.Property(l => l.TenantId).HasMaxLength(64);
            library.Property(l => l.Name).HasMaxLength(Library.NameMaxLength);
            library.Property(l => l.Description).HasMaxLength(Library.DescriptionMaxLength);
            library.Property(l => l.DefaultVersion).HasMaxLength(LibraryVersion.NameMaxLength);
            library.Property(l => l.CreatedBy).HasMaxLength(200);
            library.HasIndex(l => new { l.TenantId, l.Name }).IsUnique();
            library.HasIndex(l => l.Shared);
            library.HasMany(l => l.Versions).WithOne(v => v.Library).HasForeignKey(v => v.LibraryId).OnDelete(DeleteBehavior.Cascade);
        });

        modelBuilder.Entity<LibraryVersion>(version =>
        {
            version.ToTable("library_versions");
            version.HasKey(v => v.Id);
            version.Property(v => v.TenantId).HasMaxLength(64);
            version.Property(v => v.Name).HasMaxLength(LibraryVersion.NameMaxLength);
            version.HasIndex(v => new { v.LibraryId, v.Name }).IsUnique();
        });

        modelBuilder.Entity<Source>(source =>
        {
            source.ToTable("sources");
            source.HasKey(s => s.Id);
            source.Property(s => s.TenantId).HasMaxLength(64);
            source.Property(s => s.Kind).HasConversion<string>().HasMaxLength(16);
            source.Property(s => s.Schedule).HasMaxLength(100);
            source.Property(s => s.LastCommit).HasMaxLength(64);
            source.Property(s => s.CreatedBy).HasMaxLength(200);
            source.Ignore(s => s.Location);
            source.OwnsOne(s => s.Git, git => git.ToJson());
            source.OwnsOne(s => s.Website, website => website.ToJson());
            source.HasOne(s => s.LibraryVersion).WithMany().HasForeignKey(s => s.LibraryVersionId).OnDelete(DeleteBehavior.Cascade);
            source.HasIndex(s => new { s.TenantId, s.LibraryVersionId });
            source.HasIndex(s => s.NextRunAt);
        });

        modelBuilder.Entity<IngestionJob>(job =>
        {
            job.ToTable("ingestion_jobs");
            job.HasKey(j => j.Id);
            job.Property(j => j.TenantId).HasMaxLength(64);
            job.Property(j => j.State).HasConversion<string>().HasMaxLength(16);
            job.Property(j => j.Trigger).HasConversion<string>().HasMaxLength(16);
            job.Property(j => j.RequestedBy).HasMaxLength(200);
            job.Property(j => j.Commit).HasMaxLength(64);
            job.Property(j => j.Error).HasMaxLength(IngestionJobItem.ErrorMaxLength);
            job.Property(j => j.Note).HasMaxLength(IngestionJobItem.ErrorMaxLength);
            job.Property(j => j.LeaseOwner).HasMaxLength(200);
            job.Ignore(j => j.Counters);
            job.Ignore(j => j.IsFinished);
            job.HasOne(j => j.Source).WithMany().HasForeignKey(j => j.SourceId).OnDelete(DeleteBehavior.Cascade);
            job.HasIndex(j => new { j.State, j.CreatedAt });
            job.HasIndex(j => new { j.TenantId, j.Id });
            job.HasIndex(j => new { j.SourceId, j.CreatedAt });
        });

        modelBuilder.Entity<IngestionJobItem>(item =>
        {
            item.ToTable("ingestion_job_items");
            item.HasKey(i => i.Id);
            item.Property(i => i.Key).HasMaxLength(IngestionJobItem.KeyMaxLength);
            item.Property(i => i.State).HasConversion<string>().HasMaxLength(16);
            item.Property(i => i.Title).HasMaxLength(Document.TitleMaxLength);
            item.Property(i => i.Url).HasMaxLength(Document.SourceUrlMaxLength);
            item.Property(i => i.ContentHash).HasMaxLength(64);
            item.Property(i => i.ETag).HasMaxLength(300);
            item.Property(i => i.LastModified).HasMaxLength(100);
            item.Property(i => i.Error).HasMaxLength(IngestionJobItem.ErrorMaxLength);
            item.HasOne<IngestionJob>().WithMany().HasForeignKey(i => i.JobId).OnDelete(DeleteBehavior.Cascade);
            item.HasIndex(i => new { i.JobId, i.Key }).IsUnique();
        });

        modelBuilder.Entity<StagedUpload>(upload =>
        {
            upload.ToTable("staged_uploads");
            upload.HasKey(u => u.JobId);
            upload.Property(u => u.FileName).HasMaxLength(300);
            upload.HasOne<IngestionJob>().WithOne().HasForeignKey<StagedUpload>(u => u.JobId).OnDelete(DeleteBehavior.Cascade);
        });

        modelBuilder.Entity<Document>(document =>
        {
            document.ToTable("documents");
            document.HasKey(d => d.Id);
            document.Property(d => d.TenantId).HasMaxLength(64);
            document.Property(d => d.Key).HasMaxLength(IngestionJobItem.KeyMaxLength);
            document.Property(d => d.Title).HasMaxLength(Document.TitleMaxLength);
            document.Property(d => d.SourceUrl).HasMaxLength(Document.SourceUrlMaxLength);
            document.Property(d => d.ContentHash).HasMaxLength(64).IsFixedLength();
            document.Property(d => d.ETag).HasMaxLength(300);
            document.Property(d => d.LastModified).HasMaxLength(100);
            document.HasOne<Source>().WithMany().HasForeignKey(d => d.SourceId).OnDelete(DeleteBehavior.Cascade);
            document.HasOne<LibraryVersion>().WithMany().HasForeignKey(d => d.LibraryVersionId).OnDelete(DeleteBehavior.Cascade);
            document.HasMany(d => d.Chunks).WithOne().HasForeignKey(c => c.DocumentId).OnDelete(DeleteBehavior.Cascade);
            document.HasIndex(d => new { d.SourceId, d.Key }).IsUnique();
            document.HasIndex(d => new { d.LibraryVersionId, d.Id });
            document.HasIndex(d => new { d.TenantId, d.Id });
        });

        modelBuilder.Entity<Chunk>(chunk =>
        {
            chunk.ToTable("chunks");
            chunk.HasKey(c => c.Id);
            chunk.Property(c => c.TenantId).HasMaxLength(64);
            chunk.Property(c => c.Breadcrumb).HasMaxLength(1000);
            chunk.Property(c => c.Url).HasMaxLength(Document.SourceUrlMaxLength + 300);
            chunk.Property(c => c.ContentHash).HasMaxLength(64).IsFixedLength();
            chunk.HasIndex(c => new { c.DocumentId, c.Ordinal });
        });

        modelBuilder.Entity<StorageUsage>(usage =>
        {
            usage.ToTable("storage_usage");
            usage.HasKey(u => new { u.TenantId, u.Day });
            usage.Property(u => u.TenantId).HasMaxLength(64);
        });

        modelBuilder.AddIntegrationEventTables();
    }
}
