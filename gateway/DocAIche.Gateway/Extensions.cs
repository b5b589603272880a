using DocAIche.Gateway.Usage;
using DocAIche.Gateway.ApiKeys;
using DocAIche.Gateway.Edge;
using DocAIche.Gateway.Health;
using DocAIche.Gateway.Idempotency;
using DocAIche.Gateway.Live;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Transforms;

namespace DocAIche.Gateway;

internal static class Extensions
{
    public static IHostApplicationBuilder AddGatewayServices(this IHostApplicationBuilder builder)
    {
        builder.Services.AddReverseProxy()
            .LoadFromConfig(builder.Configuration.GetSection("ReverseProxy"))
            .AddServiceDiscoveryDestinationResolver()
            // Whatever a service says about its server software stays inside.
            .AddTransforms(transforms => transforms.AddResponseHeaderRemove("Server", ResponseCondition.Always));

        // Live updates (/ws) bypass the proxy: a socket per connection to the websocket service's live endpoint.
        builder.AddSettings<LiveForwardingOptions>(LiveForwardingOptions.Section);
        builder.Services.AddSingleton<LiveBackend>();
        builder.Services.AddSingleton<LiveForwarder>();

        builder.Services.AddHttpClient(DownstreamHealth.ClientName, client => client.Timeout = DownstreamHealth.Timeout);
        builder.Services.AddSingleton<DownstreamHealth>();
        // GET /api/v1/usage asks each service for its part with the caller's credentials.
        builder.Services.AddHttpClient(UsageSummaryReader.ClientName);
        builder.Services.AddSingleton<UsageSummaryReader>();

        builder.AddSettings<ApiKeyExchangeOptions>(ApiKeyExchangeOptions.Section);
        builder.Services.AddMemoryCache();
        builder.Services.AddHttpClient(ApiKeyExchange.HttpClientName);
        builder.Services.AddSingleton<ApiKeyExchange>();

        // Edge protections: tokens are validated here too, to rate-limit by caller and tenant.
        builder.AddDefaultAuthentication();
        builder.AddRedisClient("cache");
        builder.AddSettings<EdgeOptions>(EdgeOptions.Section);
        builder.Services.AddGatewayRateLimits();
        builder.Services.AddSingleton<RevokedSubjects>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<RevokedSubjects>());
        builder.AddSettings<IdempotencyOptions>(IdempotencyOptions.Section);
        builder.Services.AddSingleton<IIdempotencyStore, RedisIdempotencyStore>();
        builder.Services.AddCors();
        builder.Services.AddOptions<Microsoft.AspNetCore.Cors.Infrastructure.CorsOptions>().Configure<IOptions<EdgeOptions>>((cors, edge) =>
            cors.AddDefaultPolicy(policy => policy
                .WithOrigins([.. edge.Value.AllowedOrigins])
                .WithMethods("GET", "POST", "PUT", "DELETE")
                .WithHeaders("Authorization", "Content-Type", "X-Api-Key", "X-Correlation-Id", IdempotentWrites.Header)
                .WithExposedHeaders("X-Correlation-Id", "Retry-After", IdempotentWrites.ReplayedHeader)));
        // None of these cut a live connection: Kestrel exempts upgraded connections from the body size
        // and data-rate limits, and the header and keep-alive timeouts end with the opening request.
        builder.Services.AddOptions<KestrelServerOptions>().Configure<IOptions<EdgeOptions>>((kestrel, edge) =>
        {
            kestrel.Limits.MaxRequestBodySize = edge.Value.MaxRequestBodyBytes;
            kestrel.Limits.MaxRequestHeadersTotalSize = 32 * 1024;
            kestrel.Limits.MaxRequestLineSize = 8 * 1024;
        });
        return builder;
    }
}
