using DocAIche.Audit.Alerts;
using DocAIche.Audit.Infrastructure;
using DocAIche.Audit.IntegrationEvents.EventHandling;
using DocAIche.Audit.Privacy;
using DocAIche.Audit.Retention;
using DocAIche.Audit.Trail;
using DocAIche.ServiceDefaults.Data;

namespace DocAIche.Audit;

internal static class Extensions
{
    public static IHostApplicationBuilder AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddSettings<AuditOptions>(AuditOptions.Section);
        builder.AddSettings<RetentionOptions>(RetentionOptions.Section);
        builder.AddSettings<AlertOptions>(AlertOptions.Section);

        // The service works as an append-only role; the owner in ConnectionStrings:auditdb only migrates and grants.
        var runtimeRole = builder.Configuration.GetSection($"{AuditOptions.Section}:RuntimeRole").Get<RuntimeRoleOptions>() ?? new RuntimeRoleOptions();
        builder.AddServiceDatabase<AuditDbContext>("auditdb", new DatabaseLogin(runtimeRole.Name, runtimeRole.Password));
        builder.Services.AddSingleton<IDatabaseRoleSetup<AuditDbContext>, AuditDatabaseRole>();

        builder.Services.AddScoped<SubjectKeys>();
        builder.Services.AddScoped<AuditLedger>();
        builder.Services.AddScoped<AuditRecordReader>();
        builder.Services.AddScoped<ChainVerifier>();
        builder.Services.AddScoped<PrivacyRequests>();
        builder.Services.AddHttpClient<TenantSubjects>(TenantSubjects.HttpClientName, client => client.BaseAddress = new Uri("http://identity"));
        builder.Services.AddScoped<RetentionPurger>();
        builder.Services.AddHostedService<RetentionService>();

        // Alert windows are shared by every audit instance; without Redis, records are still kept.
        builder.AddRedisClient("cache", settings => settings.DisableHealthChecks = true);
        builder.Services.AddScoped<SecurityAlerts>();

        builder.AddMessaging("audit", bus =>
        {
            bus.AddConsumer<AuditEventOccurredConsumer>((_, consumer) => consumer.Options<MassTransit.BatchOptions>(AuditBatches.Configure));
            bus.AddConsumer<IngestionJobFinishedConsumer>((_, consumer) => consumer.Options<MassTransit.BatchOptions>(AuditBatches.Configure));
            bus.AddConsumer<PrivacyExportContributedConsumer>();
            bus.AddConsumer<PrivacyErasureConfirmedConsumer>();
            bus.AddConsumer<PrivacyExportRequestedConsumer>();
            bus.AddConsumer<PrivacyErasureRequestedConsumer>();
        });
        builder.AddDefaultAuthentication();
        return builder;
    }
}
