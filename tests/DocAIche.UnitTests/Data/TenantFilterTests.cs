using DocAIche.Audit.Infrastructure;
using DocAIche.Documents.Infrastructure;
using DocAIche.Identity.Infrastructure;
using DocAIche.Search.Infrastructure;
using DocAIche.ServiceDefaults.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;

namespace DocAIche.UnitTests.Data;

/// <summary>Tenant isolation is structural: every row with a tenant is filtered by the context's tenant, in every service.</summary>
public sealed class TenantFilterTests
{
    private static DbContextOptions<T> Npgsql<T>() where T : DbContext =>
        new DbContextOptionsBuilder<T>().UseNpgsql("Host=127.0.0.1;Database=model-only").Options;

    public static TheoryData<string> Contexts() => ["identity", "documents", "search", "audit"];

    private static DbContext Create(string service) => service switch
    {
        "identity" => new IdentityDbContext(Npgsql<IdentityDbContext>(), new TenantScope()),
        "documents" => new DocumentsDbContext(Npgsql<DocumentsDbContext>(), new TenantScope()),
        "search" => new SearchDbContext(Npgsql<SearchDbContext>(), new TenantScope()),
        "audit" => new AuditDbContext(Npgsql<AuditDbContext>(), new TenantScope()),
        _ => throw new ArgumentOutOfRangeException(nameof(service)),
    };

    [Theory]
    [MemberData(nameof(Contexts))]
    public void Every_entity_with_a_tenant_is_filtered_by_the_contexts_tenant(string service)
    {
        using var db = Create(service);

        var withTenant = db.Model.GetEntityTypes().Where(e => !e.IsOwned() && e.FindProperty("TenantId") is not null).ToList();

        Assert.NotEmpty(withTenant);
        Assert.All(withTenant, entity =>
        {
            Assert.True(typeof(ITenantOwned).IsAssignableFrom(entity.ClrType), $"{entity.ClrType.Name} has a TenantId but is not ITenantOwned");
            Assert.Contains(entity.GetDeclaredQueryFilters(), filter => filter.Key == TenantScopedDbContext.TenantFilter);
        });
    }

    [Fact]
    public void Only_the_tenant_scoped_contexts_are_used_by_services()
    {
        Assert.All([typeof(IdentityDbContext), typeof(DocumentsDbContext), typeof(SearchDbContext), typeof(AuditDbContext)],
            type => Assert.True(type.IsAssignableTo(typeof(TenantScopedDbContext)), type.Name));
    }

    private sealed class Note : ITenantOwned
    {
        public int Id { get; set; }

        public required string TenantId { get; set; }

        public required string Text { get; set; }
    }

    private sealed class NotesContext(DbContextOptions<NotesContext> options, TenantScope tenant) : TenantScopedDbContext(options, tenant)
    {
        public DbSet<Note> Notes => Set<Note>();

        protected override void ConfigureModel(ModelBuilder modelBuilder) => modelBuilder.Entity<Note>();
    }

    private static async Task<NotesContext> NotesAsync(string database, TenantScope tenant)
    {
        var db = new NotesContext(new DbContextOptionsBuilder<NotesContext>().UseInMemoryDatabase(database).Options, tenant);
        if (!await db.Notes.AcrossTenants().AnyAsync())
        {
            db.Notes.AddRange(new Note { Id = 1, TenantId = "a", Text = "a's" }, new Note { Id = 2, TenantId = "b", Text = "b's" });
            await db.SaveChangesAsync();
        }
        return db;
    }

    [Fact]
    public async Task A_query_sees_only_the_scopes_tenant_without_saying_so()
    {
        var tenant = new TenantScope();
        tenant.ActFor("a");
        await using var db = await NotesAsync(nameof(A_query_sees_only_the_scopes_tenant_without_saying_so), tenant);

        Assert.Equal(["a's"], await db.Notes.Select(n => n.Text).ToListAsync());
        Assert.Null(await db.Notes.FirstOrDefaultAsync(n => n.Id == 2));

        tenant.ActFor("b");
        Assert.Equal(["b's"], await db.Notes.Select(n => n.Text).ToListAsync());
    }

    [Fact]
    public async Task Reading_with_no_tenant_in_scope_fails_instead_of_showing_everything()
    {
        await using var db = await NotesAsync(nameof(Reading_with_no_tenant_in_scope_fails_instead_of_showing_everything), new TenantScope());

        await Assert.ThrowsAsync<InvalidOperationException>(() => db.Notes.ToListAsync());
    }

    [Fact]
    public async Task Across_tenants_is_the_one_explicit_way_past_the_filter()
    {
        await using var db = await NotesAsync(nameof(Across_tenants_is_the_one_explicit_way_past_the_filter), new TenantScope());

        Assert.Equal(2, await db.Notes.AcrossTenants().CountAsync());
    }
}
