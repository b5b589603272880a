using System.Security.Claims;
using DocAIche.ServiceDefaults.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace Microsoft.Extensions.Hosting;

public static class AuthenticationExtensions
{
    /// <summary>
    /// Every service validates DocAIche access tokens itself (issuer, audience, lifetime, RS256
    /// signature with the identity service's keys) and authorises each endpoint with one of
    /// <see cref="DocAIchePolicies"/>. Anything not marked otherwise needs an authenticated caller
    /// of a tenant.
    /// </summary>
    public static IHostApplicationBuilder AddDefaultAuthentication(this IHostApplicationBuilder builder)
    {
        builder.AddSettings<DocAIcheAuthenticationOptions>(DocAIcheAuthenticationOptions.Section);
        builder.Services.AddHttpClient(SigningKeysConfigurationManager.HttpClientName);
        builder.Services.AddSingleton(services => new SigningKeysConfigurationManager(
            services.GetRequiredService<IHttpClientFactory>(),
            services.GetRequiredService<IOptions<DocAIcheAuthenticationOptions>>().Value,
            services.GetRequiredService<TimeProvider>()));
        builder.Services.TryAddSingleton(TimeProvider.System);

        builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer();
        builder.Services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
            .Configure<IOptions<DocAIcheAuthenticationOptions>, SigningKeysConfigurationManager>((jwt, authentication, keys) =>
            {
                var settings = authentication.Value;
                jwt.MapInboundClaims = false;
                jwt.RequireHttpsMetadata = false;
                jwt.ConfigurationManager = keys;
                jwt.TokenValidationParameters = new TokenValidationParameters
                {
                    // "http://host:8080" and "http://host:8080/" name the same issuer.
                    ValidIssuers = [settings.Issuer.TrimEnd('/'), settings.Issuer.TrimEnd('/') + "/"],
                    ValidAudience = settings.Audience,
                    ValidateIssuer = true,
                    ValidateAudience = true,
                    ValidateLifetime = true,
                    ValidateIssuerSigningKey = true,
                    RequireSignedTokens = true,
                    RequireExpirationTime = true,
                    ValidAlgorithms = [SecurityAlgorithms.RsaSha256],
                    // OpenIddict types its access tokens "at+jwt" (RFC 9068).
                    ValidTypes = ["at+jwt", "JWT"],
                    ClockSkew = settings.ClockSkew,
                    NameClaimType = DocAIcheClaims.Subject,
                    RoleClaimType = DocAIcheClaims.Role,
                };
            });

        builder.Services.AddAuthorizationBuilder()
            .SetFallbackPolicy(TenantPolicy().Build())
            .AddPolicy(DocAIchePolicies.TenantMember, TenantPolicy().Build())
            .AddPolicy(DocAIchePolicies.Read, TenantPolicy().RequireRole(DocAIcheRoles.Viewer, DocAIcheRoles.Editor, DocAIcheRoles.Admin, DocAIcheRoles.Owner).Build())
            .AddPolicy(DocAIchePolicies.Edit, TenantPolicy().RequireRole(DocAIcheRoles.Editor, DocAIcheRoles.Admin, DocAIcheRoles.Owner).Build())
            .AddPolicy(DocAIchePolicies.Administer, TenantPolicy().RequireRole(DocAIcheRoles.Admin, DocAIcheRoles.Owner).Build())
            .AddPolicy(DocAIchePolicies.Audit, TenantPolicy().RequireRole(DocAIcheRoles.Auditor, DocAIcheRoles.Admin, DocAIcheRoles.Owner).Build())
            .AddPolicy(DocAIchePolicies.Operate, new AuthorizationPolicyBuilder(JwtBearerDefaults.AuthenticationScheme)
                .RequireAuthenticatedUser()
                .RequireAssertion(context => HasScope(context.User, DocAIchePolicies.ApiScope))
                .RequireRole(DocAIcheRoles.Operator)
                .Build());

        return builder;
    }

    // Every tenant API needs an authenticated caller whose token names its tenant and carries the API scope.
    private static AuthorizationPolicyBuilder TenantPolicy() => new AuthorizationPolicyBuilder(JwtBearerDefaults.AuthenticationScheme)
        .RequireAuthenticatedUser()
        .RequireClaim(DocAIcheClaims.Tenant)
        .RequireAssertion(context => HasScope(context.User, DocAIchePolicies.ApiScope));

    public static bool HasScope(ClaimsPrincipal user, string scope) =>
        user.FindAll(DocAIcheClaims.Scope).Any(claim => claim.Value.Split(' ').Contains(scope));

    /// <summary>The caller's tenant; it only ever comes from the validated token.</summary>
    public static string GetTenantId(this ClaimsPrincipal user) =>
        user.FindFirst(DocAIcheClaims.Tenant)?.Value
        ?? throw new InvalidOperationException("The caller has no tenant; the endpoint must require a tenant policy.");

    /// <summary>Who the caller is, for records: the token's subject.</summary>
    public static string GetSubject(this ClaimsPrincipal user) =>
        user.FindFirst(DocAIcheClaims.Subject)?.Value ?? "anonymous";
}
