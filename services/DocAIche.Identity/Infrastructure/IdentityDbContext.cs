using DocAIche.Identity.Model;
using DocAIche.ServiceDefaults.Messaging;
using Microsoft.EntityFrameworkCore;

namespace DocAIche.Identity.Infrastructure;

public sealed class IdentityDbContext(DbContextOptions<IdentityDbContext> options) : DbContext(options)
{
    public DbSet<Tenant> Tenants => Set<Tenant>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Tenant>(tenant =>
        {
            tenant.ToTable("tenants");
            tenant.HasKey(t => t.Id);
            tenant.Property(t => t.Id).HasMaxLength(64);
            tenant.Property(t => t.Name).HasMaxLength(200);
            tenant.HasData(new Tenant
            {
                Id = DocAIche.Contracts.Tenants.Default,
                Name = "Default",
                CreatedAt = new DateTimeOffset(2026, 11, 26, 0, 0, 0, TimeSpan.Zero),
            });
        });

        modelBuilder.AddIntegrationEventTables();
    }
}
