using DocAIche.Documents;
using DocAIche.Documents.Apis;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();

app.MapDefaultEndpoints();
app.UseAuthentication();
app.UseAuthorization();
app.MapLibrariesApi();
app.MapSourcesApi();
app.MapJobsApi();
app.MapDocumentsApi();
app.MapUsageApi();

app.Run();
