using DocAIche.Gateway;
using DocAIche.Gateway.ApiKeys;
using DocAIche.Gateway.Correlation;
using DocAIche.Gateway.Health;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddGatewayServices();

var app = builder.Build();

app.UseCorrelationId();
app.UseDefaultErrorHandling();
app.MapAliveEndpoint();
app.MapDownstreamHealth();
app.UseApiKeyExchange();
app.MapReverseProxy();

app.Run();
