using DocAIche.Documents.Model;
using DocAIche.ServiceDefaults.Messaging;
using Microsoft.EntityFrameworkCore;

namespace DocAIche.Documents.Infrastructure;

public sealed class DocumentsDbContext(DbContextOptions<DocumentsDbContext> options) : DbContext(options)
{
    public DbSet<Document> Documents => Set<Document>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Document>(document =>
        {
            document.ToTable("documents");
            document.HasKey(d => d.Id);
            document.Property(d => d.TenantId).HasMaxLength(64);
            document.Property(d => d.Title).HasMaxLength(Document.TitleMaxLength);
            document.Property(d => d.SourceUrl).HasMaxLength(Document.SourceUrlMaxLength);
            document.Property(d => d.ContentHash).HasMaxLength(64).IsFixedLength();
            // Every read is per tenant, and lists page by id.
            document.HasIndex(d => new { d.TenantId, d.Id });
        });

        modelBuilder.AddIntegrationEventTables();
    }
}
