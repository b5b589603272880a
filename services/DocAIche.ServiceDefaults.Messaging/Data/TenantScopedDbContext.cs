using System.Linq.Expressions;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;

namespace DocAIche.ServiceDefaults.Data;

/// <summary>A row that belongs to one tenant: every query of it sees only the tenant the context works for.</summary>
public interface ITenantOwned
{
    string TenantId { get; }
}

/// <summary>
/// The tenant a unit of work acts for (scoped: one per request or message). For a request it is the
/// caller's tenant, from the validated token and nothing else; a consumer or background job that
/// works for one tenant says so with <see cref="ActFor"/>.
/// </summary>
public sealed class TenantScope(IHttpContextAccessor? http = null)
{
    private string? _tenantId;

    /// <summary>The tenant; null when nobody said (then tenant-owned rows cannot be read at all).</summary>
    public string? TenantId => _tenantId ?? http?.HttpContext?.User.FindFirst("tenant")?.Value;

    /// <summary>Work from here on is for <paramref name="tenantId"/> (a message's or a job's tenant).</summary>
    public void ActFor(string tenantId)
    {
        ArgumentException.ThrowIfNullOrEmpty(tenantId);
        _tenantId = tenantId;
    }
}

/// <summary>
/// A service's context whose tenant-owned entities (<see cref="ITenantOwned"/>) carry a query filter
/// bound to the <see cref="TenantScope"/>: a query can never return another tenant's rows by
/// forgetting a condition. Reading with no tenant in scope throws rather than guess. Work that
/// spans tenants on purpose (a sign-in before the tenant is known, shared libraries, job queues,
/// retention over every tenant) says so with <see cref="TenantScoping.AcrossTenants{T}"/>.
/// </summary>
public abstract class TenantScopedDbContext(DbContextOptions options, TenantScope tenant) : DbContext(options)
{
    /// <summary>The name of the filter every tenant-owned entity carries.</summary>
    public const string TenantFilter = "Tenant";

    /// <summary>The tenant this context reads for.</summary>
    public TenantScope Tenant { get; } = tenant;

    /// <summary>Read by the query filters each time a query runs; throws when no tenant is in scope.</summary>
    public string CurrentTenantId => Tenant.TenantId ?? throw new InvalidOperationException(
        "No tenant is in scope: a request's comes from its token, a message's or job's is set with TenantScope.ActFor; " +
        "work that spans tenants on purpose reads with AcrossTenants().");

    protected sealed override void OnModelCreating(ModelBuilder modelBuilder)
    {
        ConfigureModel(modelBuilder);
        foreach (var entity in modelBuilder.Model.GetEntityTypes().Where(e => !e.IsOwned() && typeof(ITenantOwned).IsAssignableFrom(e.ClrType)))
        {
            var row = Expression.Parameter(entity.ClrType, "row");
            var filter = Expression.Lambda(
                Expression.Equal(
                    Expression.Property(row, nameof(ITenantOwned.TenantId)),
                    Expression.Property(Expression.Constant(this), nameof(CurrentTenantId))),
                row);
            modelBuilder.Entity(entity.ClrType).HasQueryFilter(TenantFilter, filter);
        }
    }

    /// <summary>The service's model; tenant filters are added after it.</summary>
    protected abstract void ConfigureModel(ModelBuilder modelBuilder);
}

public static class TenantScoping
{
    /// <summary>
    /// Reads rows of every tenant: the one way past the tenant filter, for work that spans tenants on
    /// purpose. Every use must say, next to it, which tenants it may touch and why.
    /// </summary>
    public static IQueryable<T> AcrossTenants<T>(this IQueryable<T> rows) where T : class =>
        rows.IgnoreQueryFilters([TenantScopedDbContext.TenantFilter]);
}
