using DocAIche.Documents.Infrastructure;

namespace DocAIche.Documents;

internal static class Extensions
{
    public static IHostApplicationBuilder AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddServiceDatabase<DocumentsDbContext>("documentsdb");
        builder.AddMessaging("documents");
        builder.AddDefaultAuthentication();
        return builder;
    }
}
