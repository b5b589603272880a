using DocAIche.Identity.Infrastructure;

namespace DocAIche.Identity;

internal static class Extensions
{
    public static IHostApplicationBuilder AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddServiceDatabase<IdentityDbContext>("identitydb");
        builder.AddMessaging("identity");
        return builder;
    }
}
