using DocAIche.Audit;
using DocAIche.Audit.Apis;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();

app.MapDefaultEndpoints();
app.UseAuthentication();
app.UseAuthorization();
app.MapAuditRecordsApi();
app.MapRetentionApi();
app.MapPrivacyApi();
app.MapReportsApi();

app.Run();
