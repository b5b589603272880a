using DocAIche.WebSocket;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();

// The HTTP server answers health probes and OpenAPI; live connections have an endpoint of their
// own (LiveUpdates:Port, see LiveListener) that the gateway's /ws forwards to.
app.MapDefaultEndpoints();

app.Run();
