using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using DocAIche.ServiceDefaults.Data;
using DocAIche.Identity.Model;
using DocAIche.ServiceDefaults.Messaging;
using Microsoft.EntityFrameworkCore;

namespace DocAIche.Identity.Infrastructure;

public sealed class IdentityDbContext(DbContextOptions<IdentityDbContext> options, TenantScope tenant)
    : TenantScopedDbContext(options, tenant), IDataProtectionKeyContext
{
    public DbSet<Tenant> Tenants => Set<Tenant>();
    public DbSet<User> Users => Set<User>();
    public DbSet<ApiKey> ApiKeys => Set<ApiKey>();
    public DbSet<MachineClient> MachineClients => Set<MachineClient>();
    public DbSet<ServerKey> ServerKeys => Set<ServerKey>();
    public DbSet<IdentityProvider> IdentityProviders => Set<IdentityProvider>();
    public DbSet<SsoDomain> SsoDomains => Set<SsoDomain>();
    public DbSet<SsoSignIn> SsoSignIns => Set<SsoSignIn>();
    public DbSet<ScimToken> ScimTokens => Set<ScimToken>();
    public DbSet<ScimGroup> ScimGroups => Set<ScimGroup>();

    /// <summary>The sign-in cookie's and antiforgery's key ring, shared by every instance (sealed; see DataProtectionKeyRing).</summary>
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    protected override void ConfigureModel(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<DataProtectionKey>().ToTable("data_protection_keys");

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

        modelBuilder.Entity<User>(user =>
        {
            user.ToTable("users");
            user.HasKey(u => u.Id);
            user.Property(u => u.TenantId).HasMaxLength(64);
            user.Property(u => u.Email).HasMaxLength(256);
            user.Property(u => u.NormalizedEmail).HasMaxLength(256);
            user.Property(u => u.DisplayName).HasMaxLength(200);
            user.HasIndex(u => u.NormalizedEmail).IsUnique();
            user.HasIndex(u => new { u.TenantId, u.Id });
            user.Property(u => u.ExternalSubject).HasMaxLength(600);
            user.HasIndex(u => u.ExternalSubject).IsUnique().HasFilter("\"ExternalSubject\" IS NOT NULL");
            user.Property(u => u.ExternalId).HasMaxLength(256);
            user.HasOne<Tenant>().WithMany().HasForeignKey(u => u.TenantId).OnDelete(DeleteBehavior.Restrict);
        });

        modelBuilder.Entity<ApiKey>(key =>
        {
            key.ToTable("api_keys");
            key.HasKey(k => k.Id);
            key.Property(k => k.TenantId).HasMaxLength(64);
            key.Property(k => k.Name).HasMaxLength(200);
            key.Property(k => k.Prefix).HasMaxLength(16);
            key.Property(k => k.SecretHash).HasMaxLength(64).IsFixedLength();
            key.HasIndex(k => k.SecretHash).IsUnique();
            key.HasIndex(k => new { k.TenantId, k.Id });
        });

        modelBuilder.Entity<MachineClient>(client =>
        {
            client.ToTable("machine_clients");
            client.HasKey(c => c.ClientId);
            client.Property(c => c.ClientId).HasMaxLength(100);
            client.Property(c => c.TenantId).HasMaxLength(64);
            client.Property(c => c.DisplayName).HasMaxLength(200);
            client.HasIndex(c => c.TenantId);
        });

        modelBuilder.Entity<ServerKey>(key =>
        {
            key.ToTable("server_keys");
            key.HasKey(k => k.Id);
            key.Property(k => k.Id).HasMaxLength(64);
            key.Property(k => k.Use).HasMaxLength(3);
            // One key of each use signs or encrypts new tokens at a time.
            key.HasIndex(k => k.Use).IsUnique().HasFilter("\"RetiredAt\" IS NULL");
        });

        modelBuilder.Entity<IdentityProvider>(provider =>
        {
            provider.ToTable("identity_providers");
            provider.HasKey(p => p.TenantId);
            provider.Property(p => p.TenantId).HasMaxLength(64);
            provider.Property(p => p.DisplayName).HasMaxLength(200);
            provider.Property(p => p.Authority).HasMaxLength(500);
            provider.Property(p => p.ClientId).HasMaxLength(200);
            provider.Property(p => p.EmailClaim).HasMaxLength(100);
            provider.Property(p => p.NameClaim).HasMaxLength(100);
            provider.Property(p => p.GroupsClaim).HasMaxLength(100);
            provider.OwnsMany(p => p.GroupRoles, groups => groups.ToJson());
            provider.HasOne<Tenant>().WithOne().HasForeignKey<IdentityProvider>(p => p.TenantId).OnDelete(DeleteBehavior.Cascade);
        });

        modelBuilder.Entity<SsoDomain>(domain =>
        {
            domain.ToTable("sso_domains");
            domain.HasKey(d => d.Domain);
            domain.Property(d => d.Domain).HasMaxLength(253);
            domain.Property(d => d.TenantId).HasMaxLength(64);
            domain.HasIndex(d => d.TenantId);
            domain.HasOne<IdentityProvider>().WithMany().HasForeignKey(d => d.TenantId).OnDelete(DeleteBehavior.Cascade);
        });

        modelBuilder.Entity<SsoSignIn>(signIn =>
        {
            signIn.ToTable("sso_sign_ins");
            signIn.HasKey(s => s.StateHash);
            signIn.Property(s => s.StateHash).HasMaxLength(64).IsFixedLength();
            signIn.Property(s => s.BrowserHash).HasMaxLength(64).IsFixedLength();
            signIn.Property(s => s.TenantId).HasMaxLength(64);
            signIn.Property(s => s.ReturnUrl).HasMaxLength(4000);
            signIn.HasIndex(s => s.ExpiresAt);
        });

        modelBuilder.Entity<ScimToken>(token =>
        {
            token.ToTable("scim_tokens");
            token.HasKey(t => t.TenantId);
            token.Property(t => t.TenantId).HasMaxLength(64);
            token.Property(t => t.SecretHash).HasMaxLength(64).IsFixedLength();
            token.Property(t => t.Prefix).HasMaxLength(16);
            token.HasIndex(t => t.SecretHash).IsUnique();
            token.HasOne<Tenant>().WithOne().HasForeignKey<ScimToken>(t => t.TenantId).OnDelete(DeleteBehavior.Cascade);
        });

        modelBuilder.Entity<ScimGroup>(group =>
        {
            group.ToTable("scim_groups");
            group.HasKey(g => g.Id);
            group.Property(g => g.TenantId).HasMaxLength(64);
            group.Property(g => g.DisplayName).HasMaxLength(256);
            group.Property(g => g.ExternalId).HasMaxLength(256);
            group.HasIndex(g => new { g.TenantId, g.DisplayName }).IsUnique();
            group.HasOne<Tenant>().WithMany().HasForeignKey(g => g.TenantId).OnDelete(DeleteBehavior.Cascade);
        });

        modelBuilder.UseOpenIddict();
        modelBuilder.AddIntegrationEventTables();
    }
}
