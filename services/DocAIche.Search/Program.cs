using DocAIche.Search;
using DocAIche.Search.Apis;
using DocAIche.ServiceDefaults.Authentication;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();

app.MapDefaultEndpoints();
app.UseAuthentication();
app.UseAuthorization();
app.MapSearchApi();
app.MapLibrariesApi();
app.MapFeedbackApi();
app.MapAnswerApi();
app.MapUsageApi();
app.MapMcp("/mcp").RequireAuthorization(DocAIchePolicies.Read);

app.Run();
