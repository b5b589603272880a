using DocAIche.ServiceDefaults.Data;
using DocAIche.Search.Model;
using DocAIche.ServiceDefaults.Messaging;
using Microsoft.EntityFrameworkCore;

namespace DocAIche.Search.Infrastructure;

public sealed class SearchDbContext(DbContextOptions<SearchDbContext> options, TenantScope tenant) : TenantScopedDbContext(options, tenant)
{
    public DbSet<IndexedChunk> IndexedChunks => Set<IndexedChunk>();

    public DbSet<IndexedDocument> IndexedDocuments => Set<IndexedDocument>();

    public DbSet<IndexedLibrary> IndexedLibraries => Set<IndexedLibrary>();

    public DbSet<IndexedTerm> IndexedTerms => Set<IndexedTerm>();

    public DbSet<SearchFeedback> Feedback => Set<SearchFeedback>();

    public DbSet<QueryHistoryEntry> QueryHistory => Set<QueryHistoryEntry>();

    public DbSet<TenantRetention> TenantRetention => Set<TenantRetention>();

    protected override void ConfigureModel(ModelBuilder modelBuilder)
    {
        // The chunks' "Embedding" vector(384) column and its HNSW index are created by migration SQL
        // and used by SQL only: EF never loads or writes vectors.
        modelBuilder.HasPostgresExtension("vector");

        modelBuilder.Entity<IndexedChunk>(chunk =>
        {
            chunk.ToTable("indexed_chunks");
            chunk.HasKey(c => c.ChunkId);
            chunk.Property(c => c.TenantId).HasMaxLength(64);
            chunk.Property(c => c.Library).HasMaxLength(100);
            chunk.Property(c => c.Version).HasMaxLength(64);
            chunk.Property(c => c.Title).HasMaxLength(300);
            chunk.Property(c => c.Breadcrumb).HasMaxLength(1000);
            chunk.Property(c => c.Url).HasMaxLength(2400);
            chunk.Property(c => c.ContentHash).HasMaxLength(64).IsFixedLength();
            chunk.Property(c => c.SearchVector)
                .HasComputedColumnSql(
                    "setweight(to_tsvector('english', coalesce(\"Title\", '')), 'A') || " +
                    "setweight(to_tsvector('english', coalesce(\"Breadcrumb\", '')), 'B') || " +
                    "setweight(to_tsvector('english', coalesce(\"Content\", '')), 'C')",
                    stored: true);
            chunk.HasIndex(c => c.SearchVector).HasMethod("GIN");
            chunk.HasIndex(c => c.DocumentId);
            chunk.HasIndex(c => new { c.LibraryId, c.Version });
            chunk.HasIndex(c => c.TenantId);
            chunk.Property(c => c.EmbeddingModel).HasMaxLength(200);
            // The embedder's queue: chunks without a vector from the current model.
            chunk.HasIndex(c => new { c.EmbeddingModel, c.IndexedAt });
        });

        modelBuilder.Entity<SearchFeedback>(feedback =>
        {
            feedback.ToTable("search_feedback");
            feedback.HasKey(f => f.FeedbackId);
            feedback.Property(f => f.TenantId).HasMaxLength(64);
            feedback.Property(f => f.Subject).HasMaxLength(200);
            feedback.Property(f => f.Query).HasMaxLength(500);
            feedback.Property(f => f.Comment).HasMaxLength(2000);
            feedback.Property(f => f.Kind).HasConversion<string>().HasMaxLength(20);
            feedback.Property(f => f.Weight).HasComputedColumnSql(
                "CASE \"Kind\" WHEN 'Helpful' THEN 1.0 WHEN 'NotHelpful' THEN -1.0 WHEN 'Used' THEN 0.5 ELSE 0.25 END", stored: true);
            feedback.HasIndex(f => new { f.TenantId, f.DocumentId });
            feedback.HasIndex(f => new { f.TenantId, f.Subject });
        });

        modelBuilder.Entity<QueryHistoryEntry>(entry =>
        {
            entry.ToTable("query_history");
            entry.HasKey(e => e.Id);
            entry.Property(e => e.Id).UseIdentityAlwaysColumn();
            entry.Property(e => e.TenantId).HasMaxLength(64);
            entry.Property(e => e.Subject).HasMaxLength(200);
            entry.Property(e => e.Query).HasMaxLength(500);
            entry.Property(e => e.Library).HasMaxLength(200);
            entry.Property(e => e.Version).HasMaxLength(100);
            entry.Property(e => e.Channel).HasMaxLength(8);
            entry.Property(e => e.Operation).HasMaxLength(32).HasDefaultValue(MeteredOperations.Search);
            entry.HasIndex(e => new { e.TenantId, e.Subject });
            entry.HasIndex(e => new { e.TenantId, e.At });
        });

        modelBuilder.Entity<TenantRetention>(retention =>
        {
            retention.ToTable("tenant_retention");
            retention.HasKey(r => r.TenantId);
            retention.Property(r => r.TenantId).HasMaxLength(64);
        });

        modelBuilder.Entity<IndexedDocument>(document =>
        {
            document.ToTable("indexed_documents");
            document.HasKey(d => d.DocumentId);
            document.Property(d => d.TenantId).HasMaxLength(64);
            document.HasIndex(d => d.LibraryId);
        });

        modelBuilder.Entity<IndexedLibrary>(library =>
        {
            library.ToTable("indexed_libraries");
            library.HasKey(l => l.LibraryId);
            library.Property(l => l.TenantId).HasMaxLength(64);
            library.Property(l => l.Name).HasMaxLength(100);
            library.Property(l => l.DefaultVersion).HasMaxLength(64);
            library.HasIndex(l => new { l.TenantId, l.Name });
        });

        modelBuilder.Entity<IndexedTerm>(term =>
        {
            term.ToTable("indexed_terms");
            term.HasKey(t => new { t.LibraryId, t.Lexeme });
            term.Property(t => t.TenantId).HasMaxLength(64);
        });

        modelBuilder.AddIntegrationEventTables();
    }
}
