using System.Text.RegularExpressions;
using DocAIche.Identity.Infrastructure;
using DocAIche.Identity.Model;
using DocAIche.Identity.Sso;
using DocAIche.ServiceDefaults.Auditing;
using DocAIche.ServiceDefaults.Authentication;
using DocAIche.ServiceDefaults.Data;
using DocAIche.ServiceDefaults.Security;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace DocAIche.Identity.Apis;

/// <summary>One of the provider's groups and the DocAIche roles its members get.</summary>
public sealed record GroupRolesMapping(string? Group, List<string>? Roles);

/// <summary>The tenant's identity provider as an administrator sets it; the client secret may be left out to keep the stored one.</summary>
public sealed record IdentityProviderRequest(
    string? DisplayName, string? Authority, string? ClientId, string? ClientSecret, List<string>? Scopes,
    string? EmailClaim, string? NameClaim, string? GroupsClaim, List<GroupRolesMapping>? GroupRoles,
    List<string>? Domains, bool EnforceSso = false, bool Enabled = true);

/// <summary>The tenant's identity provider; the client secret is never returned. <c>RedirectUri</c> is what to register at the provider.</summary>
public sealed record IdentityProviderResponse(
    string DisplayName, string Authority, string ClientId, bool HasClientSecret, IReadOnlyList<string> Scopes,
    string EmailClaim, string NameClaim, string GroupsClaim, IReadOnlyList<GroupRolesMapping> GroupRoles,
    IReadOnlyList<string> Domains, bool EnforceSso, bool Enabled, string RedirectUri, DateTimeOffset UpdatedAt);

/// <summary>The tenant's SCIM token: <c>Token</c> only in the answer that created it.</summary>
public sealed record ScimTokenResponse(string Prefix, string? Token, DateTimeOffset CreatedAt, DateTimeOffset? LastUsedAt);

/// <summary>Single sign-on: the tenant's own OpenID Connect provider (one per tenant; OIDC only, SAML is not served).</summary>
public static partial class IdentityProviderApi
{
    public static IEndpointRouteBuilder MapIdentityProviderApi(this IEndpointRouteBuilder app)
    {
        var provider = app.MapGroup("/api/v1/sso/provider").WithTags("Single sign-on").RequireAuthorization(DocAIchePolicies.Administer);
        provider.MapGet("/", GetAsync).WithName("GetIdentityProvider").WithSummary("The tenant's identity provider (admins)");
        provider.MapPut("/", SetAsync).WithName("SetIdentityProvider")
            .WithSummary("Set the tenant's identity provider: discovery, client, claims, group roles, email domains, enforcement (admins)");
        provider.MapDelete("/", DeleteAsync).WithName("DeleteIdentityProvider")
            .WithSummary("Remove the tenant's identity provider; its people sign in with passwords again (admins)");

        var scim = app.MapGroup("/api/v1/sso/scim-token").WithTags("Single sign-on").RequireAuthorization(DocAIchePolicies.Administer);
        scim.MapGet("/", async (IdentityDbContext db, CancellationToken ct) =>
                await db.ScimTokens.AsNoTracking().SingleOrDefaultAsync(ct) is { } token
                    ? Results.Ok(new ScimTokenResponse(token.Prefix, null, token.CreatedAt, token.LastUsedAt))
                    : Results.NotFound())
            .WithName("GetScimToken").WithSummary("Whether the tenant has a SCIM token, and when it was last used (admins)")
            .Produces<ScimTokenResponse>().ProducesProblem(StatusCodes.Status404NotFound);
        scim.MapPost("/", CreateScimTokenAsync).WithName("CreateScimToken")
            .WithSummary("A new SCIM bearer token for the identity provider (shown once; replaces the previous one) (admins)");
        scim.MapDelete("/", async (HttpContext http, IdentityDbContext db, TimeProvider time, CancellationToken ct) =>
            {
                var removed = await db.ScimTokens.ExecuteDeleteAsync(ct);
                if (removed == 0)
                {
                    return Results.NotFound();
                }
                db.AddAuditEvent(http, time, "sso.scim_token_revoked", "scim_token", Caller.From(http.User).TenantId);
                await db.SaveChangesAsync(ct);
                return Results.NoContent();
            })
            .WithName("RevokeScimToken").WithSummary("Revoke the tenant's SCIM token (admins)")
            .Produces(StatusCodes.Status204NoContent).ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    private static async Task<Results<Created<ScimTokenResponse>, ProblemHttpResult>> CreateScimTokenAsync(
        HttpContext http, IdentityDbContext db, TimeProvider time, CancellationToken ct)
    {
        var caller = Caller.From(http.User);
        if (!await db.IdentityProviders.AnyAsync(ct))
        {
            return TypedResults.Problem(title: "No identity provider", statusCode: StatusCodes.Status409Conflict,
                detail: "Set up the identity provider first: SCIM provisions people of its domains and maps its groups to roles.");
        }
        var secret = ScimTokens.Generate();
        var now = time.GetUtcNow();
        await db.ScimTokens.ExecuteDeleteAsync(ct);
        var token = new ScimToken { TenantId = caller.TenantId, SecretHash = Tokens.ApiKeySecrets.Hash(secret), Prefix = secret[..9], CreatedAt = now };
        db.ScimTokens.Add(token);
        db.AddAuditEvent(http, time, "sso.scim_token_created", "scim_token", caller.TenantId);
        await db.SaveChangesAsync(ct);
        return TypedResults.Created("/api/v1/sso/scim-token", new ScimTokenResponse(token.Prefix, secret, now, null));
    }

    [GeneratedRegex(@"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")]
    private static partial Regex DomainPattern();

    [GeneratedRegex(@"^[\x21\x23-\x5B\x5D-\x7E]{1,100}$")]
    private static partial Regex ScopePattern();

    private static async Task<Results<Ok<IdentityProviderResponse>, NotFound>> GetAsync(
        IdentityDbContext db, IOptions<DocAIcheAuthenticationOptions> authentication, CancellationToken ct)
    {
        var provider = await db.IdentityProviders.AsNoTracking().SingleOrDefaultAsync(ct);
        return provider is null ? TypedResults.NotFound() : TypedResults.Ok(ToResponse(provider, authentication.Value));
    }

    private static async Task<Results<Ok<IdentityProviderResponse>, ValidationProblem, ForbidHttpResult, ProblemHttpResult>> SetAsync(
        IdentityProviderRequest request, HttpContext http, IdentityDbContext db, ProviderMetadata metadata,
        IOptions<SsoOptions> sso, IOptions<IdentityServiceOptions> identity, IOptions<DocAIcheAuthenticationOptions> authentication,
        TimeProvider time, CancellationToken ct)
    {
        var caller = Caller.From(http.User);
        var existing = await db.IdentityProviders.SingleOrDefaultAsync(ct);
        var errors = Validation.Errors();
        var domains = (request.Domains ?? []).Select(d => d.Trim().ToLowerInvariant()).Where(d => d.Length > 0).Distinct().ToList();
        var scopes = (request.Scopes is { Count: > 0 } given ? given : ["openid", "email", "profile"]).Select(s => s.Trim()).Distinct().ToList();
        var groupRoles = (request.GroupRoles ?? []).Select(g => new GroupRoles { Group = g.Group?.Trim() ?? "", Roles = [.. Validation.CleanRoles(g.Roles)] }).ToList();
        Validate(request, existing, domains, scopes, groupRoles, sso.Value, errors);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }
        if (!caller.MayGrant(groupRoles.SelectMany(g => g.Roles)))
        {
            return TypedResults.Forbid();
        }

        // Across tenants: a domain routes to one tenant, and never away from people who already have accounts elsewhere.
        var taken = await db.SsoDomains.AcrossTenants().Where(d => domains.Contains(d.Domain) && d.TenantId != caller.TenantId).Select(d => d.Domain).ToListAsync(ct);
        if (taken.Count > 0)
        {
            return TypedResults.Problem(title: "Domain taken", statusCode: StatusCodes.Status409Conflict,
                detail: $"Another organisation signs in {string.Join(", ", taken)} addresses.");
        }
        foreach (var domain in domains)
        {
            var suffix = "@" + domain.ToUpperInvariant();
            if (await db.Users.AcrossTenants().AnyAsync(u => u.TenantId != caller.TenantId && u.NormalizedEmail.EndsWith(suffix), ct))
            {
                return TypedResults.Problem(title: "Domain taken", statusCode: StatusCodes.Status409Conflict,
                    detail: $"People of another organisation have {domain} accounts; the domain cannot route to this one.");
            }
        }

        var authority = ProviderMetadata.Normalize(request.Authority!);
        if (request.Enabled)
        {
            try
            {
                await metadata.GetAsync(authority, ct);
            }
            catch (ProviderUnavailableException e)
            {
                return TypedResults.Problem(title: "Identity provider unavailable", detail: e.Message, statusCode: StatusCodes.Status422UnprocessableEntity);
            }
        }

        var now = time.GetUtcNow();
        var provider = existing ?? new IdentityProvider
        {
            TenantId = caller.TenantId, DisplayName = "", Authority = "", ClientId = "", ProtectedClientSecret = "", CreatedAt = now,
        };
        provider.DisplayName = request.DisplayName!.Trim();
        provider.Authority = authority;
        provider.ClientId = request.ClientId!.Trim();
        if (!string.IsNullOrEmpty(request.ClientSecret))
        {
            provider.ProtectedClientSecret = SecretBox.ProtectText(request.ClientSecret, SecretBox.KeyFrom(identity.Value.KeyEncryptionKey));
        }
        provider.Scopes = scopes;
        provider.EmailClaim = request.EmailClaim?.Trim() is { Length: > 0 } email ? email : "email";
        provider.NameClaim = request.NameClaim?.Trim() is { Length: > 0 } name ? name : "name";
        provider.GroupsClaim = request.GroupsClaim?.Trim() is { Length: > 0 } groups ? groups : "groups";
        provider.GroupRoles = groupRoles;
        provider.Domains = domains;
        provider.EnforceSso = request.EnforceSso;
        provider.Enabled = request.Enabled;
        provider.UpdatedAt = now;
        if (existing is null)
        {
            db.IdentityProviders.Add(provider);
        }
        db.SsoDomains.RemoveRange(await db.SsoDomains.Where(d => !domains.Contains(d.Domain)).ToListAsync(ct));
        var kept = await db.SsoDomains.Select(d => d.Domain).ToListAsync(ct);
        db.SsoDomains.AddRange(domains.Except(kept).Select(d => new SsoDomain { Domain = d, TenantId = caller.TenantId }));
        db.AddAuditEvent(http, time, "sso.provider_set", "identity_provider", caller.TenantId, details: new Dictionary<string, string>
        {
            ["authority"] = authority,
            ["domains"] = string.Join(' ', domains),
            ["enforceSso"] = request.EnforceSso ? "true" : "false",
            ["enabled"] = request.Enabled ? "true" : "false",
        });
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            // Another organisation claimed one of the domains at the same moment.
            return TypedResults.Problem(title: "Domain taken", detail: "Another organisation claimed one of these domains meanwhile.", statusCode: StatusCodes.Status409Conflict);
        }
        return TypedResults.Ok(ToResponse(provider, authentication.Value));
    }

    private static async Task<Results<NoContent, NotFound>> DeleteAsync(HttpContext http, IdentityDbContext db, TimeProvider time, CancellationToken ct)
    {
        var provider = await db.IdentityProviders.SingleOrDefaultAsync(ct);
        if (provider is null)
        {
            return TypedResults.NotFound();
        }
        db.SsoDomains.RemoveRange(await db.SsoDomains.ToListAsync(ct));
        db.IdentityProviders.Remove(provider);
        db.AddAuditEvent(http, time, "sso.provider_deleted", "identity_provider", provider.TenantId);
        await db.SaveChangesAsync(ct);
        return TypedResults.NoContent();
    }

    private static void Validate(
        IdentityProviderRequest request, IdentityProvider? existing, List<string> domains, List<string> scopes,
        List<GroupRoles> groupRoles, SsoOptions sso, Dictionary<string, string[]> errors)
    {
        if (string.IsNullOrWhiteSpace(request.DisplayName) || request.DisplayName.Trim().Length > 200)
        {
            errors["displayName"] = ["A name of at most 200 characters is required (it is shown on the sign-in page)."];
        }
        if (!Uri.TryCreate(request.Authority?.Trim(), UriKind.Absolute, out var authority) || request.Authority!.Length > 500 ||
            authority.Scheme is not ("https" or "http") || (authority.Scheme == "http" && sso.RequireHttps) ||
            !string.IsNullOrEmpty(authority.Query) || !string.IsNullOrEmpty(authority.Fragment) || !string.IsNullOrEmpty(authority.UserInfo))
        {
            errors["authority"] = [sso.RequireHttps
                ? "The provider's issuer, an https:// address without query (its discovery document is at {authority}/.well-known/openid-configuration)."
                : "The provider's issuer, an http(s):// address without query (its discovery document is at {authority}/.well-known/openid-configuration)."];
        }
        if (string.IsNullOrWhiteSpace(request.ClientId) || request.ClientId.Trim().Length > 200)
        {
            errors["clientId"] = ["The client id DocAIche is registered under at the provider (at most 200 characters)."];
        }
        if (request.ClientSecret is { Length: > 1000 } || (string.IsNullOrEmpty(request.ClientSecret) && existing is null))
        {
            errors["clientSecret"] = ["The client secret from the provider (at most 1,000 characters); leave it out to keep the stored one."];
        }
        if (!scopes.Contains("openid") || scopes.Count > 20 || scopes.Any(s => !ScopePattern().IsMatch(s)))
        {
            errors["scopes"] = ["At most 20 scopes, including openid."];
        }
        foreach (var (field, value) in new[] { ("emailClaim", request.EmailClaim), ("nameClaim", request.NameClaim), ("groupsClaim", request.GroupsClaim) })
        {
            if (value is { Length: > 100 } || (value is not null && value.Trim().Length == 0))
            {
                errors[field] = ["A claim name of at most 100 characters, or leave it out for the standard one."];
            }
        }
        if (groupRoles.Count is 0 or > 200 || groupRoles.Any(g => g.Group.Length is 0 or > 256) ||
            groupRoles.Any(g => g.Roles.Count == 0 || g.Roles.Any(r => !DocAIcheRoles.IsTenantRole(r))) ||
            groupRoles.Select(g => g.Group).Distinct(StringComparer.Ordinal).Count() != groupRoles.Count)
        {
            errors["groupRoles"] = [$"1 to 200 groups, each named once (as the groups claim carries it) with one or more of: {string.Join(", ", DocAIcheRoles.TenantRoles)}."];
        }
        if (domains.Count is 0 or > 50 || domains.Any(d => !DomainPattern().IsMatch(d)))
        {
            errors["domains"] = ["1 to 50 email domains (example.com) whose people sign in at this provider."];
        }
    }

    private static IdentityProviderResponse ToResponse(IdentityProvider p, DocAIcheAuthenticationOptions authentication) => new(
        p.DisplayName, p.Authority, p.ClientId, p.ProtectedClientSecret.Length > 0, p.Scopes, p.EmailClaim, p.NameClaim, p.GroupsClaim,
        [.. p.GroupRoles.Select(g => new GroupRolesMapping(g.Group, g.Roles))], p.Domains, p.EnforceSso, p.Enabled,
        authentication.Issuer.TrimEnd('/') + FederatedSignIn.CallbackPath, p.UpdatedAt);
}
