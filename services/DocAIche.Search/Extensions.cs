using DocAIche.ServiceDefaults.Quotas;
using System.ClientModel;
using DocAIche.Search.Answers;
using DocAIche.Search.Embeddings;
using DocAIche.Search.History;
using DocAIche.Search.Infrastructure;
using DocAIche.Search.IntegrationEvents.EventHandling;
using DocAIche.Search.Mcp;
using DocAIche.Search.Searching;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.StackExchangeRedis;
using Microsoft.Extensions.Options;
using Npgsql;
using StackExchange.Redis;

namespace DocAIche.Search;

internal static class Extensions
{
    public static IHostApplicationBuilder AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddSearchDatabase();
        builder.AddMessaging("search", bus =>
        {
            bus.AddConsumer<DocumentChangedConsumer>();
            bus.AddConsumer<DocumentRemovedConsumer>();
            bus.AddConsumer<LibraryChangedConsumer>();
            bus.AddConsumer<PrivacyExportRequestedConsumer>();
            bus.AddConsumer<PrivacyErasureRequestedConsumer>();
            bus.AddConsumer<RetentionPolicyChangedConsumer>();
        });
        builder.AddDefaultAuthentication();
        builder.AddEmbeddings();
        builder.AddSearchCache();
        builder.AddAnswers();

        builder.Services.AddSingleton<SearchMetrics>();
        builder.Services.AddScoped<LibraryCatalog>();
        builder.Services.AddSingleton<LibraryViews>();
        builder.Services.AddScoped<SearchEngine>();
        builder.Services.AddScoped<SearchTimings>();
        builder.Services.AddScoped<CachedSearch>();
        builder.Services.AddHostedService<TermStatistics>();

        builder.AddSettings<QueryHistoryOptions>(QueryHistoryOptions.Section);
        builder.Services.AddSingleton<QueryHistory>();
        builder.Services.AddHostedService(services => services.GetRequiredService<QueryHistory>());

        builder.Services.AddHttpContextAccessor();
        builder.Services.AddMcpServer(server => server.ServerInfo = new() { Name = "DocAIche", Version = "1.0" })
            .WithHttpTransport(http => http.Stateless = true)
            .WithTools<DocumentationTools>();
        return builder;
    }

    /// <summary>The search database, with every connection set for searching (HNSW scans, full-text sampling, prepared statements).</summary>
    private static void AddSearchDatabase(this IHostApplicationBuilder builder)
    {
        var search = builder.Configuration.GetSection(SearchOptions.Section).Get<SearchOptions>() ?? new SearchOptions();
        if (builder.Configuration.GetConnectionString("searchdb") is { } connection)
        {
            // ef_search sizes the HNSW candidate list; iterative scans keep a filtered (tenant, library,
            // version) scan going until the list is full instead of returning fewer rows. The full-text
            // index samples the matches of queries made only of very common words. Statements run twice
            // are prepared on each connection: a search's statements are the same text every time, and
            // planning the full-text one anew cost about 4 ms of its 10.
            builder.Configuration["ConnectionStrings:searchdb"] = new NpgsqlConnectionStringBuilder(connection)
            {
                Options = $"-c hnsw.ef_search={Math.Max(search.HnswEfSearch, search.Candidates)} -c hnsw.iterative_scan=relaxed_order -c gin_fuzzy_search_limit={search.FullTextSampleSize}",
                MaxAutoPrepare = 32,
                AutoPrepareMinUsages = 2,
            }.ConnectionString;
        }
        builder.AddServiceDatabase<SearchDbContext>("searchdb", defaultRuntimeRole: "search_runtime");
        builder.AddSettings<SearchOptions>(SearchOptions.Section);
    }

    /// <summary>The embedding model (local by default) and the embedder that gives every chunk its vector.</summary>
    private static void AddEmbeddings(this IHostApplicationBuilder builder)
    {
        builder.AddSettings<EmbeddingOptions>(EmbeddingOptions.Section);
        builder.Services.AddSingleton<IEmbeddingGenerator<string, Embedding<float>>>(services =>
        {
            var options = services.GetRequiredService<IOptions<EmbeddingOptions>>().Value;
            return options.Provider switch
            {
                EmbeddingProvider.OpenAI => new OpenAI.Embeddings.EmbeddingClient(
                        options.Model, new ApiKeyCredential(options.ApiKey ?? "none"), new OpenAI.OpenAIClientOptions { Endpoint = options.Endpoint })
                    .AsIEmbeddingGenerator(EmbeddingOptions.Dimensions),
                _ => new LocalSentenceEmbeddingGenerator(options.Provider, options.Threads, options.LocalBatchSize),
            };
        });
        builder.Services.AddSingleton<EmbeddingModel>();
        builder.Services.AddSingleton<EmbeddingSignal>();
        builder.Services.AddHostedService<ChunkEmbedder>();
    }

    /// <summary>HybridCache over this instance's memory and Redis; Redis down degrades it to memory (health says so).</summary>
    private static void AddSearchCache(this IHostApplicationBuilder builder)
    {
        builder.AddRedisClient("cache", settings => settings.DisableHealthChecks = true);
        // Searches per day are counted in Redis against the quotas identity writes there.
        builder.Services.AddTenantQuotas();
        builder.Services.AddSingleton<SearchQuota>();
        builder.Services.AddSingleton<IDistributedCache>(services =>
        {
            var connection = services.GetRequiredService<IConnectionMultiplexer>();
            var redis = new RedisCache(Options.Create(new RedisCacheOptions
            {
                ConnectionMultiplexerFactory = () => Task.FromResult(connection),
                InstanceName = "docaiche:search:",
            }));
            return new FailSoftDistributedCache(redis, connection, services.GetRequiredService<ILogger<FailSoftDistributedCache>>());
        });
        builder.Services.AddHybridCache(cache => cache.MaximumPayloadBytes = 8 * 1024 * 1024);
        builder.Services.AddHealthChecks().AddCheck<CacheHealthCheck>("cache");
    }

    /// <summary>Answers from a language model, when one is configured.</summary>
    private static void AddAnswers(this IHostApplicationBuilder builder)
    {
        builder.AddSettings<AnswerOptions>(AnswerOptions.Section);
        var answers = builder.Configuration.GetSection(AnswerOptions.Section).Get<AnswerOptions>();
        if (answers is { Enabled: true })
        {
            builder.Services.AddSingleton<IChatClient>(services =>
            {
                var options = services.GetRequiredService<IOptions<AnswerOptions>>().Value;
                return new OpenAI.Chat.ChatClient(options.Model, new ApiKeyCredential(options.ApiKey ?? "none"), new OpenAI.OpenAIClientOptions { Endpoint = options.Endpoint })
                    .AsIChatClient();
            });
            builder.Services.AddSingleton<AnswerWriter>();
        }
    }
}
