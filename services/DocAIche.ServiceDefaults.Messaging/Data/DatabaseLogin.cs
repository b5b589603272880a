using Microsoft.EntityFrameworkCore;

namespace DocAIche.ServiceDefaults.Data;

/// <summary>A PostgreSQL login the service works as, narrower than the schema's owner.</summary>
public sealed record DatabaseLogin(string Username, string Password);

/// <summary>The owner's connection string, used only to migrate.</summary>
public sealed record MigrationConnection<TContext>(string ConnectionString)
    where TContext : DbContext;

/// <summary>Creates or updates the service's runtime role and its grants, as the schema's owner, right after migrating.</summary>
public interface IDatabaseRoleSetup<in TContext>
    where TContext : DbContext
{
    Task ApplyAsync(TContext ownerContext, CancellationToken cancellationToken);
}
