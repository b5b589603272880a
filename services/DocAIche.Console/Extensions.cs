using DocAIche.Console.Api;
using DocAIche.Console.Live;
using DocAIche.Console.Session;
using DocAIche.Contracts.Identity;
using DocAIche.ServiceDefaults.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.StackExchangeRedis;
using Microsoft.Extensions.Options;
using Microsoft.FluentUI.AspNetCore.Components;
using StackExchange.Redis;

namespace DocAIche.Console;

internal static class Extensions
{
    public static IHostApplicationBuilder AddConsoleServices(this IHostApplicationBuilder builder)
    {
        builder.AddSettings<ConsoleOptions>(ConsoleOptions.Section);
        builder.AddSettings<DocAIcheAuthenticationOptions>(DocAIcheAuthenticationOptions.Section);
        builder.AddRedisClient("cache");

        // Every console instance protects cookies and sessions with the same keys, kept in Redis.
        builder.Services.AddDataProtection().SetApplicationName("DocAIche.Console");
        builder.Services.AddOptions<KeyManagementOptions>().Configure<IServiceProvider>((keys, services) =>
            keys.XmlRepository = new RedisXmlRepository(() => services.GetRequiredService<IConnectionMultiplexer>().GetDatabase(), "docaiche:console:data-protection"));

        builder.Services.AddSingleton<RedisTicketStore>();
        builder.Services.AddSingleton<ITicketStore>(services => services.GetRequiredService<RedisTicketStore>());
        builder.Services.AddAuthentication(authentication =>
            {
                authentication.DefaultScheme = CookieAuthenticationDefaults.AuthenticationScheme;
                authentication.DefaultChallengeScheme = OpenIdConnectDefaults.AuthenticationScheme;
            })
            .AddCookie()
            .AddOpenIdConnect();
        builder.Services.AddOptions<CookieAuthenticationOptions>(CookieAuthenticationDefaults.AuthenticationScheme)
            .Configure<RedisTicketStore, IOptions<ConsoleOptions>>((cookie, sessions, console) =>
            {
                cookie.Cookie.Name = ".DocAIche.Console";
                cookie.Cookie.HttpOnly = true;
                cookie.Cookie.SameSite = SameSiteMode.Lax;
                cookie.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                cookie.SessionStore = sessions;
                cookie.ExpireTimeSpan = console.Value.SessionLifetime;
                cookie.SlidingExpiration = true;
                cookie.LoginPath = SessionEndpoints.SignInPath;
                // A page that needs a role the person lacks says so, rather than sending them elsewhere.
                cookie.AccessDeniedPath = "/not-allowed";
            });
        builder.Services.AddOptions<OpenIdConnectOptions>(OpenIdConnectDefaults.AuthenticationScheme)
            .Configure<IOptions<ConsoleOptions>, IOptions<DocAIcheAuthenticationOptions>>((oidc, console, authentication) =>
            {
                oidc.Authority = authentication.Value.Issuer.TrimEnd('/');
                // TLS ends in front of the gateway in production; the development issuer is plain HTTP on loopback.
                oidc.RequireHttpsMetadata = oidc.Authority.StartsWith("https://", StringComparison.OrdinalIgnoreCase);
                oidc.ClientId = ConsoleClient.ClientId;
                oidc.ClientSecret = console.Value.ClientSecret;
                oidc.ResponseType = "code";
                // The code comes back in a redirect: a form_post answer needs an inline script, which the
                // sign-in pages' content security policy (rightly) does not run.
                oidc.ResponseMode = "query";
                oidc.UsePkce = true;
                oidc.PushedAuthorizationBehavior = PushedAuthorizationBehavior.Disable;
                oidc.CallbackPath = ConsoleClient.CallbackPath;
                oidc.SignedOutCallbackPath = ConsoleClient.SignedOutCallbackPath;
                oidc.Scope.Clear();
                foreach (var scope in new[] { "openid", "profile", "email", "offline_access", DocAIchePolicies.ApiScope })
                {
                    oidc.Scope.Add(scope);
                }
                // Into the session, which lives on the server (RedisTicketStore), not into the cookie.
                oidc.SaveTokens = true;
                oidc.MapInboundClaims = false;
                oidc.GetClaimsFromUserInfoEndpoint = false;
                oidc.TokenValidationParameters.NameClaimType = "name";
                oidc.TokenValidationParameters.RoleClaimType = DocAIcheClaims.Role;
            });
        builder.Services.AddAuthorization();
        builder.Services.AddCascadingAuthenticationState();
        builder.Services.AddHttpClient(ConsoleTokens.HttpClientName);
        builder.Services.AddScoped<ConsoleTokens>();
        builder.Services.AddScoped<LiveFeed>();

        builder.Services.AddHttpClient<DocAIcheApi>((services, http) =>
        {
            var console = services.GetRequiredService<IOptions<ConsoleOptions>>().Value;
            var issuer = services.GetRequiredService<IOptions<DocAIcheAuthenticationOptions>>().Value.Issuer;
            http.BaseAddress = new Uri((console.ApiUrl ?? issuer).TrimEnd('/') + "/");
            http.Timeout = TimeSpan.FromSeconds(30);
        });

        builder.Services.AddRazorComponents().AddInteractiveServerComponents();
        builder.Services.AddFluentUIComponents();
        return builder;
    }
}
