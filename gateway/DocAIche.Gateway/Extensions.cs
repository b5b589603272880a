using DocAIche.Gateway.ApiKeys;
using DocAIche.Gateway.Health;

namespace DocAIche.Gateway;

internal static class Extensions
{
    public static IHostApplicationBuilder AddGatewayServices(this IHostApplicationBuilder builder)
    {
        builder.Services.AddReverseProxy()
            .LoadFromConfig(builder.Configuration.GetSection("ReverseProxy"))
            .AddServiceDiscoveryDestinationResolver();

        builder.Services.AddHttpClient(DownstreamHealth.ClientName, client => client.Timeout = DownstreamHealth.Timeout);
        builder.Services.AddSingleton<DownstreamHealth>();

        builder.Services.AddOptions<ApiKeyExchangeOptions>()
            .Bind(builder.Configuration.GetSection(ApiKeyExchangeOptions.Section))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddMemoryCache();
        builder.Services.AddHttpClient(ApiKeyExchange.HttpClientName);
        builder.Services.AddSingleton<ApiKeyExchange>();
        return builder;
    }
}
