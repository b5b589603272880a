using DocAIche.ServiceDefaults.Data;
using Microsoft.Extensions.Configuration;
using DocAIche.ServiceDefaults.Messaging;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.Hosting;

public static class ServiceDatabaseExtensions
{
    /// <summary>
    /// Registers the service's own PostgreSQL database: the EF Core context (with Aspire's health
    /// check, retries and telemetry), migrations at start-up where configured, and the outbox
    /// dispatcher that publishes the events its transactions write, and the purge of
    /// outbox and inbox rows past their retention.
    /// </summary>
    /// <param name="builder">The service.</param>
    /// <param name="connectionName">The connection string's name; its login owns the schema.</param>
    /// <param name="runtimeLogin">
    /// When given, the service works as this login and the owner login only migrates (and runs the
    /// service's <see cref="IDatabaseRoleSetup{TContext}"/>, which grants the runtime role what it may do).
    /// </param>
    public static IHostApplicationBuilder AddServiceDatabase<TContext>(this IHostApplicationBuilder builder, string connectionName, DatabaseLogin? runtimeLogin = null)
        where TContext : DbContext
        => builder.AddServiceDatabase<TContext>(connectionName, runtimeLogin, registerRoleSetup: false);

    /// <summary>
    /// The service's database, worked as its runtime role (<see cref="RuntimeLoginOptions"/>, named
    /// <paramref name="defaultRuntimeRole"/> unless configured): rows only, the owner migrates and
    /// grants. Without a configured password the service works as the owner.
    /// </summary>
    public static IHostApplicationBuilder AddServiceDatabase<TContext>(this IHostApplicationBuilder builder, string connectionName, string defaultRuntimeRole)
        where TContext : DbContext
    {
        var settings = builder.Configuration.GetSection(RuntimeLoginOptions.Section).Get<RuntimeLoginOptions>() ?? new RuntimeLoginOptions();
        var login = string.IsNullOrEmpty(settings.Password) ? null : new DatabaseLogin(settings.Name ?? defaultRuntimeRole, settings.Password);
        return builder.AddServiceDatabase<TContext>(connectionName, login, registerRoleSetup: login is not null);
    }

    private static IHostApplicationBuilder AddServiceDatabase<TContext>(this IHostApplicationBuilder builder, string connectionName, DatabaseLogin? runtimeLogin, bool registerRoleSetup)
        where TContext : DbContext
    {
        if (registerRoleSetup)
        {
            builder.Services.AddSingleton<IDatabaseRoleSetup<TContext>>(new RuntimeRoleSetup<TContext>(runtimeLogin!));
        }
        var ownerConnectionString = builder.Configuration.GetConnectionString(connectionName)
            ?? throw new InvalidOperationException($"ConnectionStrings:{connectionName} is not set. The AppHost sets it; outside it, give a PostgreSQL connection string.");
        var connectionString = ownerConnectionString;
        if (runtimeLogin is not null)
        {
            connectionString = new Npgsql.NpgsqlConnectionStringBuilder(ownerConnectionString)
            {
                Username = runtimeLogin.Username,
                Password = runtimeLogin.Password,
            }.ConnectionString;
            builder.Services.AddSingleton(new MigrationConnection<TContext>(ownerConnectionString));
        }

        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.TryAddSingleton<OutboxSignal>();
        // The tenant each request or message works for; contexts derived from TenantScopedDbContext filter by it.
        builder.Services.AddHttpContextAccessor();
        builder.Services.TryAddScoped(services => new TenantScope(services.GetService<Microsoft.AspNetCore.Http.IHttpContextAccessor>()));
        // Transient failures are retried every 2 s at most, for about half a minute: a write waiting for a
        // restarting database finishes within 2 s of it being back (the default backoff, up to 30 s
        // between attempts, kept one waiting 15 s longer than the database was down).
        builder.Services.AddDbContext<TContext>((services, options) => options
            .UseNpgsql(connectionString, npgsql => npgsql.EnableRetryOnFailure(maxRetryCount: 15, maxRetryDelay: TimeSpan.FromSeconds(2), errorCodesToAdd: null))
            .AddInterceptors(services.GetRequiredService<OutboxSignal>()));
        builder.EnrichNpgsqlDbContext<TContext>(settings => settings.DisableRetry = true);

        builder.AddSettings<DatabaseOptions>(DatabaseOptions.Section)
            .PostConfigure(options => options.MigrateOnStartup ??= builder.Environment.IsDevelopment());
        // Registered before the bus so that consumers never run against an unmigrated schema.
        builder.Services.AddHostedService<DatabaseMigrator<TContext>>();

        builder.AddSettings<OutboxOptions>(OutboxOptions.Section);
        builder.Services.AddHostedService<OutboxDispatcher<TContext>>();

        builder.AddSettings<IntegrationEventRetentionOptions>(IntegrationEventRetentionOptions.Section);
        builder.Services.AddHostedService<IntegrationEventRetention<TContext>>();

        return builder;
    }
}
