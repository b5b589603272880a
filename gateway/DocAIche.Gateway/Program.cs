using DocAIche.Gateway;
using DocAIche.Gateway.ApiKeys;
using DocAIche.Gateway.Correlation;
using DocAIche.Gateway.Edge;
using DocAIche.Gateway.Health;
using DocAIche.Gateway.Idempotency;
using DocAIche.Gateway.Live;
using DocAIche.Gateway.Usage;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddGatewayServices();

var app = builder.Build();

app.UseCorrelationId();
app.UseLiveTunnels();
app.UseDefaultErrorHandling();
app.UseRequestScreening();
app.UseCors();
app.MapAliveEndpoint();
app.MapMetricsEndpoint();
app.MapDownstreamHealth();
app.UseCredentialAttemptLimits();
app.UseApiKeyExchange();
app.UseAuthentication();
app.UseRevokedSubjectChecks();
app.UseRateLimiter();
app.UseAuthorization();
app.UseIdempotentWrites();
app.MapLiveForwarding();
app.MapUsageSummary();
// The gateway authenticates to rate-limit by caller; each service authorises its own endpoints.
app.MapReverseProxy(proxy => proxy.UseInstanceFailover()).AllowAnonymous();

app.Run();
