using DocAIche.Identity;
using DocAIche.Identity.Apis;
using DocAIche.Identity.Tokens;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();

app.MapDefaultEndpoints();
app.UseAuthentication();
app.UseAuthorization();
app.UseAntiforgery();

app.MapConnectApi();
app.MapSignInApi();
app.MapUsersApi();
app.MapApiKeysApi();
app.MapClientsApi();
app.MapTenantsApi();
app.MapIdentityProviderApi();
app.MapScimApi();
app.MapMfaApi();
app.MapReportsApi();
app.MapQuotasApi();

app.Run();
