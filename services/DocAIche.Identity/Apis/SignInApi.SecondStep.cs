using System.Net;
using System.Security.Cryptography;
using DocAIche.Identity.Infrastructure;
using DocAIche.Identity.Mfa;
using DocAIche.ServiceDefaults.Auditing;
using DocAIche.ServiceDefaults.Data;
using DocAIche.ServiceDefaults.Logging;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace DocAIche.Identity.Apis;

/// <summary>
/// The sign-in form's second step for accounts with an authenticator (TOTP): the code, or a recovery
/// code; and, where the tenant requires two-step sign-in and the account has none yet, enrolment
/// (a QR code, then the recovery codes once). The step is reached only with a ticket the password
/// step issued: signed, for one account, valid five minutes. Wrong codes count towards the lockout
/// as wrong passwords do.
/// </summary>
public static partial class SignInApi
{
    private static readonly TimeSpan SecondStepLifetime = TimeSpan.FromMinutes(5);

    public sealed class SecondStepForm
    {
        public string? Ticket { get; set; }

        public string? Code { get; set; }

        public string? ReturnUrl { get; set; }
    }

    private static ITimeLimitedDataProtector Ticket(IDataProtectionProvider protection) =>
        protection.CreateProtector("DocAIche.Identity.SignIn.SecondStep").ToTimeLimitedDataProtector();

    private static async Task<IResult> SecondStepAsync(
        HttpContext http, [FromForm] SecondStepForm form, IdentityDbContext db, IAntiforgery antiforgery, TotpAuthenticator totp,
        IDataProtectionProvider protection, IOptions<IdentityServiceOptions> options, TimeProvider time, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var returnUrl = SafeReturnUrl(form.ReturnUrl);
        var log = loggers.CreateLogger("DocAIche.Identity.SignIn");
        Guid userId;
        try
        {
            userId = Guid.Parse(Ticket(protection).Unprotect(form.Ticket ?? ""));
        }
        catch (Exception e) when (e is CryptographicException or FormatException)
        {
            return Page(http, antiforgery, returnUrl, "The sign-in took too long. Start again.", null, StatusCodes.Status400BadRequest, askPassword: false);
        }
        // Across tenants: the ticket names the account whose password was just checked.
        var user = await db.Users.AcrossTenants().SingleOrDefaultAsync(u => u.Id == userId, cancellationToken);
        if (user is null || user.Disabled || user.LockedOutUntil > time.GetUtcNow() || user.ProtectedTotpSecret is null)
        {
            return Page(http, antiforgery, returnUrl, "Sign-in is not possible for this account now. Start again.", null, StatusCodes.Status400BadRequest, askPassword: false);
        }

        if (user.TotpEnabledAt is null)
        {
            // Enrolment the tenant requires: a code from the new secret turns it on.
            if (totp.Confirm(user, form.Code) is not { } recoveryCodes)
            {
                SecurityLog.SignInFailed(log, user.Email, http.Connection.RemoteIpAddress?.ToString(), "wrong enrolment code");
                await CountFailureAsync(http, db, user, options.Value, time, cancellationToken);
                return SecondStepPage(http, antiforgery, returnUrl, form.Ticket!, totp.Describe(user), "That is not the app's current code. Try the next one.", StatusCodes.Status400BadRequest);
            }
            db.AddAuditEvent(time, http, user.TenantId, $"user:{user.Id}", "user.mfa_enabled", "user", user.Id.ToString());
            await CompleteSignInAsync(http, db, user, time, "password+totp", cancellationToken);
            return RecoveryCodesPage(returnUrl, recoveryCodes);
        }

        var method = "password+totp";
        if (!totp.VerifyCode(user, form.Code))
        {
            if (!totp.UseRecoveryCode(user, form.Code))
            {
                SecurityLog.SignInFailed(log, user.Email, http.Connection.RemoteIpAddress?.ToString(), "wrong authenticator code");
                await CountFailureAsync(http, db, user, options.Value, time, cancellationToken);
                return SecondStepPage(http, antiforgery, returnUrl, form.Ticket!, null, "That code is not right. Enter the app's current code or a recovery code.", StatusCodes.Status400BadRequest);
            }
            method = "password+recovery-code";
            db.AddAuditEvent(time, http, user.TenantId, $"user:{user.Id}", "user.recovery_code_used", "user", user.Id.ToString(),
                details: new Dictionary<string, string> { ["left"] = user.RecoveryCodeHashes.Count.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        }
        await CompleteSignInAsync(http, db, user, time, method, cancellationToken);
        return Results.Redirect(returnUrl);
    }

    private static IResult SecondStepPage(HttpContext http, IAntiforgery antiforgery, string returnUrl, string ticket, TotpEnrolment? enrolment, string? message, int status)
    {
        var tokens = antiforgery.GetAndStoreTokens(http);
        var intro = enrolment is null
            ? "<h1>Two-step sign-in</h1><p>Enter the code your authenticator app shows for DocAIche, or one of your recovery codes.</p>"
            : $"""
              <h1>Set up two-step sign-in</h1>
              <p>Your organisation requires it. Scan this code with an authenticator app (or type the key below), then enter the code it shows.</p>
              <div class="qr" role="img" aria-label="QR code for your authenticator app">{Svg(enrolment.QrCodeSvg)}</div>
              <p>Key: <code id="totp-secret">{WebUtility.HtmlEncode(enrolment.Secret)}</code></p>
              """;
        var html = $$"""
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><title>Two-step sign-in · DocAIche</title>
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <style>body{font-family:system-ui,sans-serif;max-width:22rem;margin:4rem auto;padding:0 1rem}
            label,input,button{display:block;width:100%;box-sizing:border-box}input{margin:.25rem 0 1rem;padding:.5rem}
            button{padding:.6rem}.error{color:#b00020}.qr svg{width:12rem;height:12rem}code{word-break:break-all}</style></head>
            <body>{{intro}}
            {{(message is null ? "" : $"<p class=\"error\" role=\"alert\">{WebUtility.HtmlEncode(message)}</p>")}}
            <form method="post" action="{{SignInPath}}/code">
            <input type="hidden" name="{{tokens.FormFieldName}}" value="{{WebUtility.HtmlEncode(tokens.RequestToken)}}">
            <input type="hidden" name="returnUrl" value="{{WebUtility.HtmlEncode(returnUrl)}}">
            <input type="hidden" name="ticket" value="{{WebUtility.HtmlEncode(ticket)}}">
            <label for="code">{{(enrolment is null ? "Code" : "Code from the app")}}</label>
            <input id="code" name="code" type="text" autocomplete="one-time-code" required autofocus>
            <button type="submit">{{(enrolment is null ? "Verify" : "Turn on and sign in")}}</button>
            </form></body></html>
            """;
        return Results.Content(html, "text/html; charset=utf-8", statusCode: status);
    }

    private static IResult RecoveryCodesPage(string returnUrl, IReadOnlyList<string> codes)
    {
        var html = $$"""
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><title>Recovery codes · DocAIche</title>
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <style>body{font-family:system-ui,sans-serif;max-width:22rem;margin:4rem auto;padding:0 1rem}</style></head>
            <body><h1>Two-step sign-in is on</h1>
            <p>Keep these recovery codes somewhere safe. Each signs you in once if you lose your device; they are not shown again.</p>
            <ul id="recovery-codes">{{string.Concat(codes.Select(c => $"<li><code>{WebUtility.HtmlEncode(c)}</code></li>"))}}</ul>
            <p><a id="continue" href="{{WebUtility.HtmlEncode(returnUrl)}}">Continue</a></p>
            </body></html>
            """;
        return Results.Content(html, "text/html; charset=utf-8");
    }

    // QRCoder's SVG is markup it generated from the otpauth URI, without an XML declaration in an HTML page.
    private static string Svg(string svg) => svg[Math.Max(svg.IndexOf("<svg", StringComparison.Ordinal), 0)..];
}
