using DocAIche.ServiceDefaults.Networking;
using DocAIche.Documents.IntegrationEvents.EventHandling;
using DocAIche.Documents.Chunking;
using DocAIche.Documents.Crawling;
using DocAIche.Documents.Fetching;
using DocAIche.Documents.Infrastructure;
using DocAIche.Documents.Quotas;
using DocAIche.ServiceDefaults.Quotas;
using DocAIche.Documents.Ingestion;
using DocAIche.Documents.Sources;
using DocAIche.Documents.Uploads;
using DocAIche.Documents.Usage;
using Microsoft.Extensions.Options;

namespace DocAIche.Documents;

internal static class Extensions
{
    public static IHostApplicationBuilder AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddServiceDatabase<DocumentsDbContext>("documentsdb", defaultRuntimeRole: "documents_runtime");
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
        builder.AddIngestionSettings();

        // Only the crawler speaks HTTP through the guarded network, so its requests time out as the crawler's settings say.
        builder.Services.AddSingleton(sp => new GuardedNetwork(
            sp.GetRequiredService<IOptions<NetworkOptions>>().Value.AllowedNetworks, sp.GetRequiredService<IOptions<CrawlerOptions>>().Value.RequestTimeout));
        builder.Services.AddSingleton(sp => new MarkdownChunker(sp.GetRequiredService<IOptions<ChunkingOptions>>().Value));
        builder.Services.AddSingleton<IngestionSignal>();
        builder.Services.AddScoped<IngestionQueue>();
        // The tenants' quotas, as identity writes them to Redis; without Redis, the last ones read apply.
        builder.AddRedisClient("cache", settings => settings.DisableHealthChecks = true);
        builder.Services.AddTenantQuotas();
        builder.Services.AddScoped<DocumentQuotas>();
        builder.Services.AddScoped<DocumentWriter>();
        builder.Services.AddScoped<IngestionJobExecution>();
        builder.Services.AddScoped<ISourceReader, GitRepositoryReader>();
        builder.Services.AddScoped<ISourceReader, WebsiteCrawler>();
        builder.Services.AddScoped<ISourceReader, UploadReader>();
        builder.Services.AddHostedService<IngestionJobRunner>();
        builder.Services.AddHostedService<SourceScheduler>();
        builder.Services.AddHostedService<StorageUsageCounter>();
    }

    /// <summary>Each area's settings, bound from its own key under <c>Ingestion</c> and checked at start-up.</summary>
    internal static IHostApplicationBuilder AddIngestionSettings(this IHostApplicationBuilder builder)
    {
        builder.AddSettings<IngestionOptions>(IngestionOptions.Section);
        builder.AddSettings<NetworkOptions>(NetworkOptions.Section)
            .Validate(o => NetworkGuard.AreValidRanges(o.AllowedNetworks), "Ingestion:AllowedNetworks holds a value that is not an address or CIDR range.");
        builder.AddSettings<GitOptions>(GitOptions.Section);
        builder.AddSettings<CrawlerOptions>(CrawlerOptions.Section);
        builder.AddSettings<UploadLimits>(UploadLimits.Section);
        builder.AddSettings<ChunkingOptions>(ChunkingOptions.Section)
            .Validate(o => o.Validate().Count == 0, "Ingestion:Chunking is not valid: TargetCharacters 100 to 100,000, OverlapCharacters at most half of it, MaxCharacters from TargetCharacters to 1,000,000.");
        return builder;
    }
}
