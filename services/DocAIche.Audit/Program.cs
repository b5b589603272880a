using DocAIche.Audit;
using DocAIche.Audit.Apis;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();

app.MapDefaultEndpoints();
app.MapAuditRecordsApi();

app.Run();
