using DocAIche.ServiceDefaults.Data;
using DocAIche.ServiceDefaults.Auditing;
using DocAIche.ServiceDefaults.Logging;
using System.Net;
using System.Security.Claims;
using DocAIche.Identity.Infrastructure;
using DocAIche.Identity.Model;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace DocAIche.Identity.Apis;

/// <summary>
/// The sign-in page of the authorization code flow: a plain HTML form (no script), protected
/// against cross-site request forgery, with lockout after repeated failures.
/// </summary>
public static class SignInApi
{
    public const string Scheme = CookieAuthenticationDefaults.AuthenticationScheme;
    public const string SignInPath = "/account/signin";

    public static IEndpointRouteBuilder MapSignInApi(this IEndpointRouteBuilder app)
    {
        var account = app.MapGroup("/account").AllowAnonymous().ExcludeFromDescription();
        account.MapGet("/signin", ShowForm);
        account.MapPost("/signin", SignInAsync);
        account.MapPost("/signout", async (HttpContext http) =>
        {
            await http.SignOutAsync(Scheme);
            return Results.Redirect("/");
        });
        return app;
    }

    public sealed record SignInForm(string? Email, string? Password, string? ReturnUrl);

    private static IResult ShowForm(HttpContext http, IAntiforgery antiforgery, string? returnUrl) =>
        Page(http, antiforgery, SafeReturnUrl(returnUrl), message: null, email: null, StatusCodes.Status200OK);

    private static async Task<IResult> SignInAsync(
        HttpContext http, [FromForm] SignInForm form, IdentityDbContext db, IAntiforgery antiforgery,
        IOptions<IdentityServiceOptions> options, TimeProvider time, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var returnUrl = SafeReturnUrl(form.ReturnUrl);
        var log = loggers.CreateLogger("DocAIche.Identity.SignIn");
        var clientAddress = http.Connection.RemoteIpAddress?.ToString();
        if (string.IsNullOrWhiteSpace(form.Email) || string.IsNullOrEmpty(form.Password))
        {
            return Page(http, antiforgery, returnUrl, "Enter your email and password.", form.Email, StatusCodes.Status400BadRequest);
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
            user.FailedSignIns++;
            db.AddAuditEvent(time, http, user.TenantId, "anonymous", "user.sign_in_failed", "user", user.Id.ToString(), "failure");
            if (user.FailedSignIns >= options.Value.MaxFailedSignIns)
            {
                user.LockedOutUntil = now + options.Value.LockoutDuration;
                user.FailedSignIns = 0;
                db.AddAuditEvent(time, http, user.TenantId, "anonymous", "user.locked_out", "user", user.Id.ToString(), "failure");
            }
            await db.SaveChangesAsync(cancellationToken);
            return WrongCredentials(http, antiforgery, returnUrl, form.Email);
        }

        user.FailedSignIns = 0;
        user.LockedOutUntil = null;
        user.LastSignInAt = now;
        db.AddAuditEvent(time, http, user.TenantId, $"user:{user.Id}", "user.signed_in", "user", user.Id.ToString());
        await db.SaveChangesAsync(cancellationToken);

        var identity = new ClaimsIdentity(Scheme);
        identity.AddClaim(new Claim("sub", user.Id.ToString()));
        await http.SignInAsync(Scheme, new ClaimsPrincipal(identity), new AuthenticationProperties { IsPersistent = false });
        return Results.Redirect(returnUrl);
    }

    private static IResult WrongCredentials(HttpContext http, IAntiforgery antiforgery, string returnUrl, string? email) =>
        Page(http, antiforgery, returnUrl, "Wrong email or password.", email, StatusCodes.Status400BadRequest);

    // Only back into the authorization endpoint: never an open redirect.
    private static string SafeReturnUrl(string? returnUrl) =>
        returnUrl is not null && returnUrl.StartsWith("/connect/authorize", StringComparison.Ordinal) && !returnUrl.Contains("//", StringComparison.Ordinal)
            ? returnUrl
            : "/";

    private static IResult Page(HttpContext http, IAntiforgery antiforgery, string returnUrl, string? message, string? email, int status)
    {
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
            <label for="email">Email</label><input id="email" name="email" type="email" autocomplete="username" required value="{{WebUtility.HtmlEncode(email ?? "")}}">
            <label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password" required>
            <button type="submit">Sign in</button>
            </form></body></html>
            """;
        return Results.Content(html, "text/html; charset=utf-8", statusCode: status);
    }
}
