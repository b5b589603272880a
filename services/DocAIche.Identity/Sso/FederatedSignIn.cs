using System.Net.Http.Headers;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using DocAIche.Identity.Infrastructure;
using DocAIche.Identity.Model;
using DocAIche.ServiceDefaults.Auditing;
using DocAIche.ServiceDefaults.Authentication;
using DocAIche.ServiceDefaults.Data;
using DocAIche.ServiceDefaults.Security;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace DocAIche.Identity.Sso;

/// <summary>Why a federated sign-in was refused, in words for the person signing in.</summary>
public sealed class SignInRefusedException(string message, string? returnUrl = null) : Exception(message)
{
    /// <summary>Where the refused sign-in was going, to start again from there; null when unknown.</summary>
    public string? ReturnUrl { get; } = returnUrl;
}

/// <summary>
/// Sign-in at a tenant's own OpenID Connect provider: authorization code with PKCE, state and nonce,
/// the state kept server-side for one use and bound to the browser; the ID token's issuer, audience,
/// signature, lifetime and nonce checked; then the person's account created or updated from the
/// claims (just in time), with the roles its groups map to, at every sign-in.
/// </summary>
public sealed class FederatedSignIn(
    IdentityDbContext db, ProviderMetadata metadata, IOptions<SsoOptions> options, IOptions<IdentityServiceOptions> identity,
    IOptions<DocAIcheAuthenticationOptions> authentication, TimeProvider time, ILogger<FederatedSignIn> log)
{
    public const string CallbackPath = "/account/sso/callback";
    public const string BrowserCookie = "docaiche.sso";

    /// <summary>The enabled provider whose domain the email is in, unless the email is an account of another tenant.</summary>
    public async Task<IdentityProvider?> ProviderForAsync(string email, CancellationToken cancellationToken)
    {
        var at = email.LastIndexOf('@');
        if (at < 0)
        {
            return null;
        }
        var domain = email[(at + 1)..].Trim().ToLowerInvariant();
        // Across tenants: nobody is signed in yet; the domain says which tenant's provider signs its people in.
        var route = await db.SsoDomains.AsNoTracking().AcrossTenants().SingleOrDefaultAsync(d => d.Domain == domain, cancellationToken);
        if (route is null)
        {
            return null;
        }
        var normalized = User.Normalize(email);
        var account = await db.Users.AsNoTracking().AcrossTenants().Where(u => u.NormalizedEmail == normalized).Select(u => u.TenantId).SingleOrDefaultAsync(cancellationToken);
        if (account is not null && account != route.TenantId)
        {
            return null;
        }
        return await db.IdentityProviders.AsNoTracking().AcrossTenants().SingleOrDefaultAsync(p => p.TenantId == route.TenantId && p.Enabled, cancellationToken);
    }

    /// <summary>Whether the tenant's people may not sign in with a password.</summary>
    public Task<bool> EnforcedAsync(string tenantId, CancellationToken cancellationToken) =>
        db.IdentityProviders.AcrossTenants().AnyAsync(p => p.TenantId == tenantId && p.Enabled && p.EnforceSso, cancellationToken);

    /// <summary>Records the sign-in, binds it to the browser and returns the provider's authorization address to send the browser to.</summary>
    public async Task<string> StartAsync(IdentityProvider provider, string email, string returnUrl, HttpContext http, CancellationToken cancellationToken)
    {
        var configuration = await metadata.GetAsync(provider.Authority, cancellationToken);
        var state = Random();
        var browser = Random();
        var verifier = Random();
        var nonce = Random();
        var now = time.GetUtcNow();
        await db.SsoSignIns.AcrossTenants().Where(s => s.ExpiresAt < now).ExecuteDeleteAsync(cancellationToken);
        db.SsoSignIns.Add(new SsoSignIn
        {
            StateHash = Hash(state),
            TenantId = provider.TenantId,
            BrowserHash = Hash(browser),
            Nonce = nonce,
            CodeVerifier = verifier,
            ReturnUrl = returnUrl,
            ExpiresAt = now + options.Value.SignInLifetime,
        });
        await db.SaveChangesAsync(cancellationToken);

        http.Response.Cookies.Append(BrowserCookie, browser, new CookieOptions
        {
            HttpOnly = true,
            // The provider sends the browser back with a top-level GET: Lax cookies come along, cross-site posts do not.
            SameSite = SameSiteMode.Lax,
            Secure = http.Request.IsHttps,
            Path = CallbackPath,
            MaxAge = options.Value.SignInLifetime,
        });

        var parameters = new Dictionary<string, string>
        {
            ["response_type"] = "code",
            ["client_id"] = provider.ClientId,
            ["redirect_uri"] = RedirectUri,
            ["scope"] = string.Join(' ', provider.Scopes),
            ["state"] = state,
            ["nonce"] = nonce,
            ["code_challenge"] = Base64UrlEncoder.Encode(SHA256.HashData(Encoding.ASCII.GetBytes(verifier))),
            ["code_challenge_method"] = "S256",
            ["login_hint"] = email,
        };
        var separator = configuration.AuthorizationEndpoint.Contains('?', StringComparison.Ordinal) ? "&" : "?";
        return configuration.AuthorizationEndpoint + separator + string.Join("&", parameters.Select(p => $"{p.Key}={Uri.EscapeDataString(p.Value)}"));
    }

    /// <summary>The provider's answer: the signed-in user and where to go next, or <see cref="SignInRefusedException"/>.</summary>
    public async Task<(User User, string ReturnUrl)> CompleteAsync(HttpContext http, string? state, string? code, string? error, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(state))
        {
            throw new SignInRefusedException("The identity provider's answer has no state.");
        }
        var stateHash = Hash(state);
        // Across tenants: the state names the sign-in, and the sign-in its tenant.
        var pending = await db.SsoSignIns.AsNoTracking().AcrossTenants().SingleOrDefaultAsync(s => s.StateHash == stateHash, cancellationToken);
        // Used once: of two answers with the same state (a replay), only the one that deletes it goes on.
        var claimed = pending is null ? 0 : await db.SsoSignIns.AcrossTenants().Where(s => s.StateHash == stateHash).ExecuteDeleteAsync(cancellationToken);
        http.Response.Cookies.Delete(BrowserCookie, new CookieOptions { Path = CallbackPath });
        if (pending is null || claimed == 0 || pending.ExpiresAt < time.GetUtcNow())
        {
            throw new SignInRefusedException("This sign-in has expired or was already used. Start again.");
        }
        if (http.Request.Cookies[BrowserCookie] is not { } browser || !CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Hash(browser)), Encoding.ASCII.GetBytes(pending.BrowserHash)))
        {
            throw new SignInRefusedException("This sign-in was started in another browser. Start again here.");
        }

        try
        {
            return (await CompleteAsync(pending, http, code, error, cancellationToken), pending.ReturnUrl);
        }
        catch (SignInRefusedException refused) when (refused.ReturnUrl is null)
        {
            throw new SignInRefusedException(refused.Message, pending.ReturnUrl);
        }
    }

    private async Task<User> CompleteAsync(SsoSignIn pending, HttpContext http, string? code, string? error, CancellationToken cancellationToken)
    {
        var provider = await db.IdentityProviders.AsNoTracking().AcrossTenants().SingleOrDefaultAsync(p => p.TenantId == pending.TenantId && p.Enabled, cancellationToken)
            ?? throw new SignInRefusedException("Your organisation's sign-in is not set up any more.");
        if (!string.IsNullOrEmpty(error))
        {
            throw await RefuseAsync(http, provider.TenantId, null, $"The identity provider refused the sign-in ({error}).");
        }
        if (string.IsNullOrEmpty(code))
        {
            throw await RefuseAsync(http, provider.TenantId, null, "The identity provider's answer has no code.");
        }

        var configuration = await metadata.GetAsync(provider.Authority, cancellationToken);
        var idToken = await RedeemAsync(provider, configuration.TokenEndpoint, code, pending.CodeVerifier, http, cancellationToken);
        var claims = await ValidateAsync(provider, idToken, pending.Nonce, http, cancellationToken);
        return await ProvisionAsync(provider, claims, http, cancellationToken);
    }

    private string RedirectUri => authentication.Value.Issuer.TrimEnd('/') + CallbackPath;

    private async Task<string> RedeemAsync(IdentityProvider provider, string tokenEndpoint, string code, string verifier, HttpContext http, CancellationToken cancellationToken)
    {
        var secret = SecretBox.UnprotectText(provider.ProtectedClientSecret, SecretBox.KeyFrom(identity.Value.KeyEncryptionKey));
        using var request = new HttpRequestMessage(HttpMethod.Post, tokenEndpoint)
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["grant_type"] = "authorization_code",
                ["code"] = code,
                ["redirect_uri"] = RedirectUri,
                ["code_verifier"] = verifier,
            }),
        };
        // client_secret_basic, the default every provider supports (RFC 6749 §2.3.1: both parts form-encoded first).
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(
            $"{Uri.EscapeDataString(provider.ClientId)}:{Uri.EscapeDataString(secret)}")));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        try
        {
            using var response = await metadata.Http.SendAsync(request, cancellationToken);
            using var body = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(cancellationToken), cancellationToken: cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                var reason = body.RootElement.TryGetProperty("error", out var e) ? e.GetString() : $"HTTP {(int)response.StatusCode}";
                throw await RefuseAsync(http, provider.TenantId, null, $"The identity provider did not accept the sign-in's code ({reason}).");
            }
            return body.RootElement.TryGetProperty("id_token", out var token) && token.GetString() is { Length: > 0 } value
                ? value
                : throw await RefuseAsync(http, provider.TenantId, null, "The identity provider sent no ID token.");
        }
        catch (Exception e) when (e is HttpRequestException or JsonException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            log.LogWarning(e, "The identity provider of tenant {Tenant} could not be reached to redeem a code", provider.TenantId);
            throw await RefuseAsync(http, provider.TenantId, null, "The identity provider could not be reached. Try again.");
        }
    }

    private async Task<ClaimsIdentity> ValidateAsync(IdentityProvider provider, string idToken, string nonce, HttpContext http, CancellationToken cancellationToken)
    {
        var handler = new JsonWebTokenHandler { MapInboundClaims = false };
        TokenValidationResult result = null!;
        // Twice at most: a key the cached key set does not hold may be a new one (rotation).
        for (var attempt = 0; attempt < 2; attempt++)
        {
            var configuration = await metadata.GetAsync(provider.Authority, cancellationToken);
            result = await handler.ValidateTokenAsync(idToken, new TokenValidationParameters
            {
                ValidIssuer = configuration.Issuer,
                ValidAudience = provider.ClientId,
                IssuerSigningKeys = configuration.SigningKeys,
                ValidateIssuerSigningKey = true,
                RequireSignedTokens = true,
                RequireExpirationTime = true,
                ClockSkew = TimeSpan.FromMinutes(2),
                NameClaimType = provider.NameClaim,
            });
            if (result.IsValid || result.Exception is not SecurityTokenSignatureKeyNotFoundException || attempt == 1)
            {
                break;
            }
            metadata.Refresh(provider.Authority);
        }
        if (!result.IsValid)
        {
            log.LogWarning(result.Exception, "An ID token from the identity provider of tenant {Tenant} was refused", provider.TenantId);
            throw await RefuseAsync(http, provider.TenantId, null, result.Exception switch
            {
                SecurityTokenInvalidIssuerException => "The identity provider's token names another issuer.",
                SecurityTokenInvalidAudienceException => "The identity provider's token was issued to another application.",
                SecurityTokenExpiredException => "The identity provider's token has expired.",
                SecurityTokenInvalidSignatureException or SecurityTokenSignatureKeyNotFoundException => "The identity provider's token has a signature that does not verify.",
                _ => "The identity provider's token is not valid.",
            });
        }
        if (result.ClaimsIdentity.FindFirst("nonce")?.Value != nonce)
        {
            throw await RefuseAsync(http, provider.TenantId, null, "The identity provider's token belongs to another sign-in.");
        }
        return result.ClaimsIdentity;
    }

    private async Task<User> ProvisionAsync(IdentityProvider provider, ClaimsIdentity claims, HttpContext http, CancellationToken cancellationToken)
    {
        var issuer = claims.FindFirst("iss")!.Value;
        var subject = claims.FindFirst("sub")?.Value;
        var email = claims.FindFirst(provider.EmailClaim)?.Value?.Trim();
        if (string.IsNullOrEmpty(subject) || string.IsNullOrEmpty(email) || !email.Contains('@', StringComparison.Ordinal) || email.Length > 256)
        {
            throw await RefuseAsync(http, provider.TenantId, null, $"The identity provider's token has no subject or no email ('{provider.EmailClaim}' claim).");
        }
        if (claims.FindFirst("email_verified")?.Value is "false")
        {
            throw await RefuseAsync(http, provider.TenantId, null, "The identity provider says this email is not verified.");
        }
        // A provider speaks only for its own domains: it cannot sign anyone in as somebody of another organisation.
        var domain = email[(email.LastIndexOf('@') + 1)..].ToLowerInvariant();
        if (!provider.Domains.Contains(domain))
        {
            throw await RefuseAsync(http, provider.TenantId, null, $"Your organisation's sign-in does not cover {domain} addresses.");
        }
        var name = claims.FindFirst(provider.NameClaim)?.Value?.Trim();
        var groups = claims.FindAll(provider.GroupsClaim).Select(c => c.Value).ToList();
        var roles = provider.RolesFor(groups);

        var externalSubject = $"{issuer}|{subject}";
        var normalized = User.Normalize(email);
        // Across tenants: the subject and the email are unique on the platform; an account elsewhere is never taken over.
        var user = await db.Users.AcrossTenants().SingleOrDefaultAsync(u => u.ExternalSubject == externalSubject, cancellationToken)
            ?? await db.Users.AcrossTenants().SingleOrDefaultAsync(u => u.NormalizedEmail == normalized, cancellationToken);
        if (user is not null && user.TenantId != provider.TenantId)
        {
            throw await RefuseAsync(http, provider.TenantId, null, "This email belongs to an account of another organisation.");
        }
        if (user is { ExternalSubject: { } linked } && linked != externalSubject)
        {
            throw await RefuseAsync(http, provider.TenantId, user, "This account is linked to another identity at your organisation's provider.");
        }
        if (user is { Disabled: true })
        {
            throw await RefuseAsync(http, provider.TenantId, user, "This account is disabled.");
        }
        if (roles.Count == 0)
        {
            // Re-evaluated at every sign-in: a person moved out of every mapped group keeps no role, and refreshes of old sessions get none.
            if (user is not null)
            {
                user.Roles = [];
            }
            throw await RefuseAsync(http, provider.TenantId, user, "You are in no group of your organisation that has access to DocAIche.");
        }

        var now = time.GetUtcNow();
        if (user is null)
        {
            user = new User
            {
                Id = Guid.CreateVersion7(),
                TenantId = provider.TenantId,
                Email = email,
                NormalizedEmail = normalized,
                DisplayName = string.IsNullOrEmpty(name) ? email : name[..Math.Min(name.Length, 200)],
                CreatedAt = now,
            };
            db.Users.Add(user);
            db.AddAuditEvent(time, http, user.TenantId, $"user:{user.Id}", "user.provisioned", "user", user.Id.ToString(),
                details: new Dictionary<string, string> { ["roles"] = string.Join(' ', roles), ["provider"] = provider.DisplayName });
        }
        else if (!user.Roles.Order(StringComparer.Ordinal).SequenceEqual(roles))
        {
            db.AddAuditEvent(time, http, user.TenantId, $"user:{user.Id}", "user.roles_changed", "user", user.Id.ToString(),
                details: new Dictionary<string, string> { ["roles"] = string.Join(' ', roles), ["by"] = "identity provider groups" });
        }
        user.ExternalSubject = externalSubject;
        user.Roles = roles;
        if (!string.IsNullOrEmpty(name))
        {
            user.DisplayName = name[..Math.Min(name.Length, 200)];
        }
        user.FailedSignIns = 0;
        user.LastSignInAt = now;
        db.AddAuditEvent(time, http, user.TenantId, $"user:{user.Id}", "user.signed_in", "user", user.Id.ToString(),
            details: new Dictionary<string, string> { ["method"] = "sso", ["provider"] = provider.DisplayName });
        await db.SaveChangesAsync(cancellationToken);
        return user;
    }

    private async Task<SignInRefusedException> RefuseAsync(HttpContext http, string tenantId, User? user, string reason)
    {
        db.AddAuditEvent(time, http, tenantId, "anonymous", "user.sso_refused", "user", user?.Id.ToString() ?? "unknown", AuditOutcomes.Failure,
            new Dictionary<string, string> { ["reason"] = reason });
        await db.SaveChangesAsync(CancellationToken.None);
        return new SignInRefusedException(reason);
    }

    private static string Random() => Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(32));

    private static string Hash(string value) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(value)));
}
