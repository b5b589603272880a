using DocAIche.Audit.Infrastructure;
using DocAIche.Audit.IntegrationEvents.EventHandling;

namespace DocAIche.Audit;

internal static class Extensions
{
    public static IHostApplicationBuilder AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddServiceDatabase<AuditDbContext>("auditdb");
        builder.AddMessaging("audit", bus =>
        {
            bus.AddConsumer<LibraryChangedConsumer>();
            bus.AddConsumer<SourceChangedConsumer>();
            bus.AddConsumer<IngestionJobFinishedConsumer>();
            bus.AddConsumer<SecurityEventOccurredConsumer>();
        });
        builder.AddDefaultAuthentication();
        return builder;
    }
}
