using DocAIche.WebSocket;
using DocAIche.WebSocket.Apis;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();

// The HTTP server answers health probes, OpenAPI and live-connection usage; live connections have an
// endpoint of their own (LiveUpdates:Port, see LiveListener) that the gateway's /ws forwards to.
app.MapDefaultEndpoints();
app.UseAuthentication();
app.UseAuthorization();
app.MapUsageApi();

app.Run();
