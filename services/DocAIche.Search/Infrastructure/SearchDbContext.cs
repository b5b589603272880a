using DocAIche.Search.Model;
using DocAIche.ServiceDefaults.Messaging;
using Microsoft.EntityFrameworkCore;

namespace DocAIche.Search.Infrastructure;

public sealed class SearchDbContext(DbContextOptions<SearchDbContext> options) : DbContext(options)
{
    public DbSet<IndexedDocument> IndexedDocuments => Set<IndexedDocument>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        // Semantic search (vectors) lands with the search issue; the extension is there from the start.
        modelBuilder.HasPostgresExtension("vector");

        modelBuilder.Entity<IndexedDocument>(document =>
        {
            document.ToTable("indexed_documents");
            document.HasKey(d => d.DocumentId);
            document.Property(d => d.TenantId).HasMaxLength(64);
            document.Property(d => d.Title).HasMaxLength(300);
            document.Property(d => d.SourceUrl).HasMaxLength(2048);
            document.Property(d => d.ContentHash).HasMaxLength(64).IsFixedLength();
            document.Property(d => d.SearchVector)
                .HasComputedColumnSql(
                    "setweight(to_tsvector('english', coalesce(\"Title\", '')), 'A') || setweight(to_tsvector('english', coalesce(\"Content\", '')), 'B')",
                    stored: true);
            document.HasIndex(d => d.SearchVector).HasMethod("GIN");
            document.HasIndex(d => d.TenantId);
        });

        modelBuilder.AddIntegrationEventTables();
    }
}
