using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DocAIche.ServiceDefaults.Data;

/// <summary>Applies the service's migrations before anything else starts, when configured to.</summary>
internal sealed partial class DatabaseMigrator<TContext>(
    IServiceScopeFactory scopes,
    IOptions<DatabaseOptions> options,
    IHostApplicationLifetime lifetime,
    ILogger<DatabaseMigrator<TContext>> logger) : IHostedService
    where TContext : DbContext
{
    private static readonly ActivitySource Source = new("DocAIche.Database");

    /// <summary>The advisory lock instances of one service hold while they migrate its database ("DocAMigr").</summary>
    private const long MigrationLock = 0x446f63414d696772;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (options.Value.MigrateOnStartup != true && !options.Value.MigrateOnly)
        {
            return;
        }

        using var activity = Source.StartActivity($"Migrate {typeof(TContext).Name}");
        await using var scope = scopes.CreateAsyncScope();
        // With a runtime login, the schema's owner migrates and the service never works as it.
        var owner = scope.ServiceProvider.GetService<MigrationConnection<TContext>>();
        await using var ownerContext = owner is null ? null : ActivatorUtilities.CreateInstance<TContext>(scope.ServiceProvider,
            new DbContextOptionsBuilder<TContext>().UseNpgsql(owner.ConnectionString, npgsql => npgsql.EnableRetryOnFailure()).Options);
        var db = ownerContext ?? scope.ServiceProvider.GetRequiredService<TContext>();
        // Retried: the server may still be finishing its start-up when the service comes up.
        await db.Database.CreateExecutionStrategy().ExecuteAsync(async () =>
        {
            // Instances starting together take turns: roles and grants are not safe to change concurrently
            // ("tuple concurrently updated"), and the second finds nothing left to do.
            await using var turn = await ExclusiveTurn.TakeAsync(db, MigrationLock, cancellationToken);
            await db.Database.MigrateAsync(cancellationToken);
            if (scope.ServiceProvider.GetService<IDatabaseRoleSetup<TContext>>() is { } roles)
            {
                await roles.ApplyAsync(db, cancellationToken);
            }
        });
        LogMigrated(logger, typeof(TContext).Name);
        if (options.Value.MigrateOnly)
        {
            // A migration job: the schema is ready, nothing else is wanted of this process.
            lifetime.StopApplication();
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "{Context} is migrated")]
    private static partial void LogMigrated(ILogger logger, string context);
}
