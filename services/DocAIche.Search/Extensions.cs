using DocAIche.Search.Infrastructure;
using DocAIche.Search.IntegrationEvents.EventHandling;

namespace DocAIche.Search;

internal static class Extensions
{
    public static IHostApplicationBuilder AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddServiceDatabase<SearchDbContext>("searchdb");
        builder.AddMessaging("search", bus =>
        {
            bus.AddConsumer<DocumentChangedConsumer>();
            bus.AddConsumer<DocumentRemovedConsumer>();
            bus.AddConsumer<LibraryChangedConsumer>();
        });
        builder.AddDefaultAuthentication();
        return builder;
    }
}
