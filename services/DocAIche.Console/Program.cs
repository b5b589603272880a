using DocAIche.Console;
using DocAIche.Console.Components;
using DocAIche.Console.Downloads;
using DocAIche.Console.Hosting;
using DocAIche.Console.Session;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddConsoleServices();

var app = builder.Build();

// Behind the gateway: the scheme and client address it saw, then the public address and page policy.
app.UseForwardedHeaders();
app.UsePublicAddress();
app.MapDefaultEndpoints();
app.UseAuthentication();
app.UseAuthorization();
app.UseAntiforgery();
app.MapStaticAssets();
app.MapConsoleSession();
app.MapConsoleDownloads();
// Every page needs a signed-in person; an anonymous visit goes to the sign-in form.
app.MapRazorComponents<App>().AddInteractiveServerRenderMode().RequireAuthorization();

app.Run();
