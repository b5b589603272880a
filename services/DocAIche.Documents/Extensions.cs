using DocAIche.Documents.IntegrationEvents.EventHandling;
using DocAIche.Documents.Chunking;
using DocAIche.Documents.Crawling;
using DocAIche.Documents.Fetching;
using DocAIche.Documents.Infrastructure;
using DocAIche.Documents.Ingestion;
using DocAIche.Documents.Sources;
using DocAIche.Documents.Uploads;
using Microsoft.Extensions.Options;

namespace DocAIche.Documents;

internal static class Extensions
{
    public static IHostApplicationBuilder AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddServiceDatabase<DocumentsDbContext>("documentsdb");
        builder.AddMessaging("documents", bus =>
        {
            bus.AddConsumer<PrivacyExportRequestedConsumer>();
            bus.AddConsumer<PrivacyErasureRequestedConsumer>();
        });
        builder.AddDefaultAuthentication();
        builder.AddIngestion();
        return builder;
    }

    private static void AddIngestion(this IHostApplicationBuilder builder)
    {
        builder.AddSettings<IngestionOptions>(IngestionOptions.Section)
            .Validate(o => o.Chunking.Validate().Count == 0, "Ingestion:Chunking is not valid: TargetCharacters 100 to 100,000, OverlapCharacters at most half of it, MaxCharacters from TargetCharacters to 1,000,000.")
            .Validate(o => AllowedNetworksParse(o.AllowedNetworks), "Ingestion:AllowedNetworks holds a value that is not an address or CIDR range.");

        builder.Services.AddSingleton<GuardedNetwork>();
        builder.Services.AddSingleton(sp => new MarkdownChunker(sp.GetRequiredService<IOptions<IngestionOptions>>().Value.Chunking));
        builder.Services.AddSingleton<IngestionSignal>();
        builder.Services.AddScoped<IngestionQueue>();
        builder.Services.AddScoped<DocumentWriter>();
        builder.Services.AddScoped<IngestionJobExecution>();
        builder.Services.AddScoped<ISourceReader, GitRepositoryReader>();
        builder.Services.AddScoped<ISourceReader, WebsiteCrawler>();
        builder.Services.AddScoped<ISourceReader, UploadReader>();
        builder.Services.AddHostedService<IngestionJobRunner>();
        builder.Services.AddHostedService<SourceScheduler>();
    }

    private static bool AllowedNetworksParse(IEnumerable<string> ranges)
    {
        try
        {
            NetworkGuard.FromRanges(ranges);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
