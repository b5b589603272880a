using DocAIche.Contracts.Identity;
using DocAIche.Identity.IntegrationEvents.EventHandling;
using DocAIche.Identity.Apis;
using DocAIche.Identity.Bootstrap;
using DocAIche.Identity.Infrastructure;
using DocAIche.Identity.Quotas;
using DocAIche.Identity.Tokens;
using DocAIche.Identity.Sso;
using DocAIche.Identity.Mfa;
using DocAIche.ServiceDefaults.Networking;
using DocAIche.ServiceDefaults.Authentication;
using Microsoft.Extensions.Options;
using OpenIddict.Server;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace DocAIche.Identity;

internal static class Extensions
{
    public static IHostApplicationBuilder AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddServiceDatabase<IdentityDbContext>("identitydb", defaultRuntimeRole: "identity_runtime");
        builder.AddMessaging("identity", bus =>
        {
            bus.AddConsumer<PrivacyExportRequestedConsumer>();
            bus.AddConsumer<PrivacyErasureRequestedConsumer>();
        });
        builder.AddDefaultAuthentication();

        builder.AddSettings<IdentityServiceOptions>(IdentityServiceOptions.Section);
        builder.AddSettings<BootstrapOptions>(BootstrapOptions.Section);
        builder.AddSettings<SsoOptions>(SsoOptions.Section)
            .Validate(o => NetworkGuard.AreValidRanges(o.AllowedNetworks), "Sso:AllowedNetworks holds a value that is not an address or CIDR range.");
        // Tenants' own identity providers, reached only through the guarded network.
        builder.Services.AddSingleton<GuardedNetworkForSso>();
        builder.Services.AddSingleton<ProviderMetadata>();
        builder.Services.AddScoped<FederatedSignIn>();
        // Deprovisioning tells the gateways through Redis which subjects' tokens to refuse at once. Sign-in does
        // not need Redis, so its outage leaves identity healthy (a revocation then waits for tokens to expire).
        builder.AddRedisClient("cache", settings => settings.DisableHealthChecks = true);
        builder.Services.AddScoped<AccessRevocation>();
        // Tenants' quotas go to Redis too, where documents, search and websocket read them.
        builder.Services.AddSingleton<QuotaPublisher>();
        builder.Services.AddSingleton<TotpAuthenticator>();
        builder.AddSharedDataProtection();

        // The sign-in form's session: only the authorization endpoint reads it.
        builder.Services.AddAuthentication().AddCookie(SignInApi.Scheme, cookie =>
        {
            cookie.LoginPath = SignInApi.SignInPath;
            cookie.Cookie.Name = "docaiche.signin";
            cookie.Cookie.HttpOnly = true;
            cookie.Cookie.SameSite = SameSiteMode.Lax;
            cookie.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            cookie.ExpireTimeSpan = TimeSpan.FromHours(8);
            cookie.SlidingExpiration = false;
        });
        builder.Services.AddAntiforgery(antiforgery => antiforgery.Cookie.Name = "docaiche.antiforgery");

        var issuer = builder.Configuration[$"{DocAIcheAuthenticationOptions.Section}:Issuer"]
            ?? throw new InvalidOperationException("Authentication:Issuer is not set; the AppHost sets it to the gateway's address.");
        var settings = builder.Configuration.GetSection(IdentityServiceOptions.Section).Get<IdentityServiceOptions>() ?? new IdentityServiceOptions();

        builder.Services.AddOpenIddict()
            .AddCore(core =>
            {
                core.UseEntityFrameworkCore().UseDbContext<IdentityDbContext>();
                core.ReplaceApplicationManager<OpenIddict.EntityFrameworkCore.Models.OpenIddictEntityFrameworkCoreApplication, LoopbackRedirectApplicationManager>();
            })
            .AddServer(server =>
            {
                server.SetIssuer(new Uri(issuer));
                server.SetAuthorizationEndpointUris("connect/authorize")
                    .SetTokenEndpointUris("connect/token")
                    .SetIntrospectionEndpointUris("connect/introspect")
                    .SetRevocationEndpointUris("connect/revoke")
                    .SetEndSessionEndpointUris("connect/endsession");

                server.AllowAuthorizationCodeFlow().RequireProofKeyForCodeExchange()
                    .AllowClientCredentialsFlow()
                    .AllowRefreshTokenFlow()
                    .AllowCustomFlow(ApiKeyGrant.GrantType);
                // PKCE with S256 only: "plain" sends the verifier as the challenge and protects nothing against a stolen code.
                server.Configure(options =>
                {
                    options.CodeChallengeMethods.Clear();
                    options.CodeChallengeMethods.Add(CodeChallengeMethods.Sha256);
                });
                server.RegisterScopes(Scopes.OpenId, Scopes.Profile, Scopes.Email, Scopes.OfflineAccess, DocAIchePolicies.ApiScope);

                server.SetAccessTokenLifetime(settings.AccessTokenLifetime)
                    .SetRefreshTokenLifetime(settings.RefreshTokenLifetime)
                    // A refresh token works once: its reuse is an attack and revokes the whole chain.
                    .SetRefreshTokenReuseLeeway(TimeSpan.Zero);

                // Services validate access tokens as plain signed JWTs.
                server.DisableAccessTokenEncryption();

                server.UseAspNetCore()
                    .EnableAuthorizationEndpointPassthrough()
                    .EnableTokenEndpointPassthrough()
                    .EnableEndSessionEndpointPassthrough()
                    // TLS ends in front of the gateway (ingress); inside, the services speak HTTP.
                    .DisableTransportSecurityRequirement();
            });
        builder.Services.AddSingleton<IConfigureOptions<OpenIddictServerOptions>, ServerKeyStore>();

        // After the database migrator (registered by AddServiceDatabase), before the web server.
        builder.Services.AddHostedService<IdentityBootstrapper>();
        builder.Services.AddHostedService<QuotaResync>();
        return builder;
    }
}
