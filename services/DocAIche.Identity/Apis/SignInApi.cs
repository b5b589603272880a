using DocAIche.ServiceDefaults.Data;
using DocAIche.ServiceDefaults.Auditing;
using DocAIche.ServiceDefaults.Logging;
using System.Net;
using System.Security.Claims;
using DocAIche.Identity.Infrastructure;
using DocAIche.Identity.Model;
using DocAIche.Identity.Sso;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.DataProtection;
using DocAIche.Identity.Mfa;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace DocAIche.Identity.Apis;

/// <summary>
/// The sign-in page of the authorization code flow: a plain HTML form (no script), protected
/// against cross-site request forgery, with lockout after repeated failures. It asks for the email
/// first: people whose domain belongs to a tenant's identity provider are sent there (home-realm
/// discovery), everybody else is asked for a password. A form posted with both at once (scripts,
/// the command line) signs in directly.
/// </summary>
public static partial class SignInApi
{
    public const string Scheme = CookieAuthenticationDefaults.AuthenticationScheme;
    public const string SignInPath = "/account/signin";

    public static IEndpointRouteBuilder MapSignInApi(this IEndpointRouteBuilder app)
    {
        var account = app.MapGroup("/account").AllowAnonymous().ExcludeFromDescription();
        account.MapGet("/signin", ShowForm);
        account.MapPost("/signin", SignInAsync);
        account.MapGet("/sso/callback", CompleteFederatedAsync);
        account.MapPost("/signin/code", SecondStepAsync);
        account.MapPost("/signout", async (HttpContext http) =>
        {
            await http.SignOutAsync(Scheme);
            return Results.Redirect("/");
        });
        return app;
    }

    /// <summary>The form's fields; the first step posts no password (settable properties, so a missing field binds as null).</summary>
    public sealed class SignInForm
    {
        public string? Email { get; set; }

        public string? Password { get; set; }

        public string? ReturnUrl { get; set; }
    }

    private static IResult ShowForm(HttpContext http, IAntiforgery antiforgery, string? returnUrl) =>
        Page(http, antiforgery, SafeReturnUrl(returnUrl), message: null, email: null, StatusCodes.Status200OK, askPassword: false);

    private static async Task<IResult> SignInAsync(
        HttpContext http, [FromForm] SignInForm form, IdentityDbContext db, IAntiforgery antiforgery, FederatedSignIn federated,
        TotpAuthenticator totp, IDataProtectionProvider protection,
        IOptions<IdentityServiceOptions> options, TimeProvider time, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var returnUrl = SafeReturnUrl(form.ReturnUrl);
        var log = loggers.CreateLogger("DocAIche.Identity.SignIn");
        var clientAddress = http.Connection.RemoteIpAddress?.ToString();
        if (string.IsNullOrWhiteSpace(form.Email) || form.Email.Length > 256)
        {
            return Page(http, antiforgery, returnUrl, "Enter your email.", null, StatusCodes.Status400BadRequest, askPassword: false);
        }
        if (string.IsNullOrEmpty(form.Password))
        {
            // Home-realm discovery: the email's domain says whether the person signs in at their organisation's provider.
            if (await federated.ProviderForAsync(form.Email, cancellationToken) is not { } provider)
            {
                return Page(http, antiforgery, returnUrl, message: null, form.Email, StatusCodes.Status200OK, askPassword: true);
            }
            try
            {
                return Results.Redirect(await federated.StartAsync(provider, form.Email.Trim(), returnUrl, http, cancellationToken));
            }
            catch (ProviderUnavailableException e)
            {
                log.LogWarning("The identity provider of tenant {Tenant} is unavailable: {Reason}", provider.TenantId, e.Message);
                return Page(http, antiforgery, returnUrl, $"{provider.DisplayName} cannot be reached right now. Try again in a moment.",
                    form.Email, StatusCodes.Status503ServiceUnavailable, askPassword: false);
            }
        }

        var now = time.GetUtcNow();
        var normalized = User.Normalize(form.Email);
        // Across tenants: nobody is signed in yet, and the email (unique on the platform) finds the account and its tenant.
        var user = await db.Users.AcrossTenants().SingleOrDefaultAsync(u => u.NormalizedEmail == normalized, cancellationToken);
        if (user is null)
        {
            // Same work and answer as a wrong password, so the form does not reveal who has an account.
            new PasswordHasher<User>().HashPassword(new User { TenantId = "", Email = "", NormalizedEmail = "", DisplayName = "" }, form.Password);
            SecurityLog.SignInFailed(log, form.Email, clientAddress, "no such account");
            return WrongCredentials(http, antiforgery, returnUrl, form.Email);
        }

        // A locked account answers exactly as a wrong password does (same work, same page, same status):
        // telling them apart would confirm to a guesser that the account exists. The lockout is logged and audited.
        if (user.LockedOutUntil > now)
        {
            new PasswordHasher<User>().VerifyHashedPassword(user, user.PasswordHash ?? "", form.Password);
            SecurityLog.SignInFailed(log, form.Email, clientAddress, "locked out");
            db.AddAuditEvent(time, http, user.TenantId, "anonymous", "user.sign_in_failed", "user", user.Id.ToString(), "failure");
            await db.SaveChangesAsync(cancellationToken);
            return WrongCredentials(http, antiforgery, returnUrl, form.Email);
        }

        var verified = user.PasswordHash is not null && !user.Disabled &&
            new PasswordHasher<User>().VerifyHashedPassword(user, user.PasswordHash, form.Password) != PasswordVerificationResult.Failed;
        if (!verified)
        {
            SecurityLog.SignInFailed(log, form.Email, clientAddress, user.Disabled ? "disabled" : "wrong password");
            await CountFailureAsync(http, db, user, options.Value, time, cancellationToken);
            return WrongCredentials(http, antiforgery, returnUrl, form.Email);
        }

        // Checked after the password, so that the answer tells a guesser nothing about who has an account.
        if (await federated.EnforcedAsync(user.TenantId, cancellationToken))
        {
            SecurityLog.SignInFailed(log, form.Email, clientAddress, "password sign-in is off (SSO enforced)");
            db.AddAuditEvent(time, http, user.TenantId, "anonymous", "user.sign_in_failed", "user", user.Id.ToString(), "failure",
                new Dictionary<string, string> { ["reason"] = "sso enforced" });
            await db.SaveChangesAsync(cancellationToken);
            return Page(http, antiforgery, returnUrl, "Your organisation signs in through its identity provider: enter your email and continue without a password.",
                form.Email, StatusCodes.Status403Forbidden, askPassword: false);
        }

        // The password is right; an authenticator code comes next when the account has one or the tenant requires one.
        if (user.TotpEnabledAt is not null || await MfaApi.RequiredAsync(db, user.TenantId, cancellationToken))
        {
            var enrolment = user.TotpEnabledAt is null ? totp.Begin(user) : null;
            user.FailedSignIns = 0;
            await db.SaveChangesAsync(cancellationToken);
            return SecondStepPage(http, antiforgery, returnUrl, Ticket(protection).Protect(user.Id.ToString(), SecondStepLifetime), enrolment, null, StatusCodes.Status200OK);
        }

        await CompleteSignInAsync(http, db, user, time, "password", cancellationToken);
        return Results.Redirect(returnUrl);
    }

    /// <summary>A wrong credential: counted, and the account locked for a while after too many in a row.</summary>
    private static async Task CountFailureAsync(HttpContext http, IdentityDbContext db, User user, IdentityServiceOptions options, TimeProvider time, CancellationToken cancellationToken)
    {
        user.FailedSignIns++;
        db.AddAuditEvent(time, http, user.TenantId, "anonymous", "user.sign_in_failed", "user", user.Id.ToString(), "failure");
        if (user.FailedSignIns >= options.MaxFailedSignIns)
        {
            user.LockedOutUntil = time.GetUtcNow() + options.LockoutDuration;
            user.FailedSignIns = 0;
            db.AddAuditEvent(time, http, user.TenantId, "anonymous", "user.locked_out", "user", user.Id.ToString(), "failure");
        }
        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>Every credential checked: the account's sign-in is recorded and the browser signed in.</summary>
    private static async Task CompleteSignInAsync(HttpContext http, IdentityDbContext db, User user, TimeProvider time, string method, CancellationToken cancellationToken)
    {
        user.FailedSignIns = 0;
        user.LockedOutUntil = null;
        user.LastSignInAt = time.GetUtcNow();
        db.AddAuditEvent(time, http, user.TenantId, $"user:{user.Id}", "user.signed_in", "user", user.Id.ToString(),
            details: new Dictionary<string, string> { ["method"] = method });
        await db.SaveChangesAsync(cancellationToken);
        await SignInBrowserAsync(http, user);
    }

    /// <summary>The answer of a tenant's identity provider (<see cref="FederatedSignIn"/>).</summary>
    private static async Task<IResult> CompleteFederatedAsync(
        HttpContext http, string? state, string? code, string? error, FederatedSignIn federated, IAntiforgery antiforgery,
        ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        try
        {
            var (user, returnUrl) = await federated.CompleteAsync(http, state, code, error, cancellationToken);
            await SignInBrowserAsync(http, user);
            return Results.Redirect(SafeReturnUrl(returnUrl));
        }
        catch (SignInRefusedException refused)
        {
            SecurityLog.SignInFailed(loggers.CreateLogger("DocAIche.Identity.SignIn"), "(identity provider)", http.Connection.RemoteIpAddress?.ToString(), refused.Message);
            return Page(http, antiforgery, SafeReturnUrl(refused.ReturnUrl), refused.Message, null, StatusCodes.Status403Forbidden, askPassword: false);
        }
        catch (ProviderUnavailableException unavailable)
        {
            return Page(http, antiforgery, "/", unavailable.Message, null, StatusCodes.Status503ServiceUnavailable, askPassword: false);
        }
    }

    private static Task SignInBrowserAsync(HttpContext http, User user)
    {
        var identity = new ClaimsIdentity(Scheme);
        identity.AddClaim(new Claim("sub", user.Id.ToString()));
        return http.SignInAsync(Scheme, new ClaimsPrincipal(identity), new AuthenticationProperties { IsPersistent = false });
    }

    private static IResult WrongCredentials(HttpContext http, IAntiforgery antiforgery, string returnUrl, string? email) =>
        Page(http, antiforgery, returnUrl, "Wrong email or password.", email, StatusCodes.Status400BadRequest, askPassword: true);

    // Only back into the authorization endpoint: never an open redirect.
    private static string SafeReturnUrl(string? returnUrl) =>
        returnUrl is not null && returnUrl.StartsWith("/connect/authorize", StringComparison.Ordinal) && !returnUrl.Contains("//", StringComparison.Ordinal)
            ? returnUrl
            : "/";

    private static IResult Page(HttpContext http, IAntiforgery antiforgery, string returnUrl, string? message, string? email, int status, bool askPassword)
    {
        var password = askPassword
            ? "<label for=\"password\">Password</label><input id=\"password\" name=\"password\" type=\"password\" autocomplete=\"current-password\" required autofocus>\n" +
              "<button type=\"submit\">Sign in</button>"
            : "<button type=\"submit\">Continue</button>";
        var tokens = antiforgery.GetAndStoreTokens(http);
        var html = $$"""
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><title>Sign in to DocAIche</title>
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <style>body{font-family:system-ui,sans-serif;max-width:22rem;margin:4rem auto;padding:0 1rem}
            label,input,button{display:block;width:100%;box-sizing:border-box}input{margin:.25rem 0 1rem;padding:.5rem}
            button{padding:.6rem}.error{color:#b00020}</style></head>
            <body><h1>Sign in to DocAIche</h1>
            {{(message is null ? "" : $"<p class=\"error\" role=\"alert\">{WebUtility.HtmlEncode(message)}</p>")}}
            <form method="post" action="{{SignInPath}}">
            <input type="hidden" name="{{tokens.FormFieldName}}" value="{{WebUtility.HtmlEncode(tokens.RequestToken)}}">
            <input type="hidden" name="returnUrl" value="{{WebUtility.HtmlEncode(returnUrl)}}">
            <label for="email">Email</label><input id="email" name="email" type="email" autocomplete="username" required value="{{WebUtility.HtmlEncode(email ?? "")}}"{{(askPassword ? "" : " autofocus")}}>
            {{password}}
            </form></body></html>
            """;
        return Results.Content(html, "text/html; charset=utf-8", statusCode: status);
    }
}
