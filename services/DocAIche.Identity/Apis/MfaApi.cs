using DocAIche.Identity.Infrastructure;
using DocAIche.Identity.Mfa;
using DocAIche.ServiceDefaults.Auditing;
using DocAIche.ServiceDefaults.Authentication;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace DocAIche.Identity.Apis;

/// <summary>Whether the caller signs in with an authenticator code, and whether the tenant requires it.</summary>
public sealed record MfaStatus(bool Enabled, DateTimeOffset? EnabledAt, int RecoveryCodesLeft, bool Required);

/// <summary>A code from the authenticator app (six digits).</summary>
public sealed record MfaCodeRequest(string? Code);

/// <summary>The recovery codes, shown once: each signs in once instead of a code.</summary>
public sealed record MfaRecoveryCodes(IReadOnlyList<string> RecoveryCodes);

/// <summary>The tenant's policy: whether every local account must sign in with an authenticator code.</summary>
public sealed record MfaPolicy(bool Required);

/// <summary>
/// Two-step sign-in (TOTP) for local accounts: enrol (a QR code for the authenticator app), confirm
/// with a first code (recovery codes returned once), turn off with a code; admins reset a person who
/// lost their device; owners and admins require it for the whole tenant. People who sign in at their
/// organisation's identity provider have their second factor there.
/// </summary>
public static class MfaApi
{
    public static IEndpointRouteBuilder MapMfaApi(this IEndpointRouteBuilder app)
    {
        var mine = app.MapGroup("/api/v1/users/me/mfa").WithTags("Two-step sign-in").RequireAuthorization(DocAIchePolicies.TenantMember);
        mine.MapGet("/", GetAsync).WithName("GetMyMfa").WithSummary("Whether you sign in with an authenticator code");
        mine.MapPost("/", BeginAsync).WithName("BeginMfaEnrolment")
            .WithSummary("Start enrolling an authenticator app: its secret, otpauth URI and QR code (SVG); confirm with a first code");
        mine.MapPost("/confirm", ConfirmAsync).WithName("ConfirmMfaEnrolment").WithSummary("Turn two-step sign-in on with a first code; returns the recovery codes once");
        mine.MapPost("/disable", DisableAsync).WithName("DisableMfa").WithSummary("Turn two-step sign-in off with a current code (not when the tenant requires it)");

        app.MapDelete("/api/v1/users/{id:guid}/mfa", ResetAsync).WithTags("Two-step sign-in").RequireAuthorization(DocAIchePolicies.Administer)
            .WithName("ResetUserMfa").WithSummary("Turn a person's two-step sign-in off (a lost device); they enrol again at their next sign-in if the tenant requires it");

        var policy = app.MapGroup("/api/v1/users/mfa-policy").WithTags("Two-step sign-in").RequireAuthorization(DocAIchePolicies.Administer);
        policy.MapGet("/", async (HttpContext http, IdentityDbContext db, CancellationToken ct) =>
                TypedResults.Ok(new MfaPolicy(await RequiredAsync(db, Caller.From(http.User).TenantId, ct))))
            .WithName("GetMfaPolicy").WithSummary("Whether the tenant requires two-step sign-in (admins)");
        policy.MapPut("/", SetPolicyAsync).WithName("SetMfaPolicy").WithSummary("Require two-step sign-in for every local account of the tenant (admins)");
        return app;
    }

    /// <summary>The signed-in person's own account; null for a key or client.</summary>
    private static async Task<Model.User?> CallerAsync(Caller caller, IdentityDbContext db, CancellationToken ct) =>
        caller.UserId is { } id ? await db.Users.SingleOrDefaultAsync(u => u.Id == id, ct) : null;

    internal static Task<bool> RequiredAsync(IdentityDbContext db, string tenantId, CancellationToken ct) =>
        db.Tenants.Where(t => t.Id == tenantId).Select(t => t.MfaRequired).SingleOrDefaultAsync(ct);

    private static async Task<Results<Ok<MfaStatus>, NotFound>> GetAsync(HttpContext http, IdentityDbContext db, CancellationToken ct)
    {
        var caller = Caller.From(http.User);
        var user = await CallerAsync(caller, db, ct);
        return user is null
            ? TypedResults.NotFound()
            : TypedResults.Ok(new MfaStatus(user.TotpEnabledAt is not null, user.TotpEnabledAt, user.RecoveryCodeHashes.Count, await RequiredAsync(db, caller.TenantId, ct)));
    }

    private static async Task<Results<Ok<TotpEnrolment>, NotFound, ProblemHttpResult>> BeginAsync(
        HttpContext http, IdentityDbContext db, TotpAuthenticator totp, TimeProvider time, CancellationToken ct)
    {
        var caller = Caller.From(http.User);
        var user = await CallerAsync(caller, db, ct);
        if (user is null)
        {
            return TypedResults.NotFound();
        }
        if (user.PasswordHash is null)
        {
            return TypedResults.Problem(title: "Not a local account", statusCode: StatusCodes.Status409Conflict,
                detail: "You sign in at your organisation's identity provider; its own second factor applies.");
        }
        if (user.TotpEnabledAt is not null)
        {
            return TypedResults.Problem(title: "Already on", statusCode: StatusCodes.Status409Conflict,
                detail: "Two-step sign-in is on. Turn it off first to enrol another authenticator.");
        }
        var enrolment = totp.Begin(user);
        db.AddAuditEvent(http, time, "user.mfa_enrolment_started", "user", user.Id.ToString());
        await db.SaveChangesAsync(ct);
        return TypedResults.Ok(enrolment);
    }

    private static async Task<Results<Ok<MfaRecoveryCodes>, NotFound, ProblemHttpResult>> ConfirmAsync(
        MfaCodeRequest request, HttpContext http, IdentityDbContext db, TotpAuthenticator totp, TimeProvider time, CancellationToken ct)
    {
        var caller = Caller.From(http.User);
        var user = await CallerAsync(caller, db, ct);
        if (user is null)
        {
            return TypedResults.NotFound();
        }
        if (user.ProtectedTotpSecret is null || user.TotpEnabledAt is not null)
        {
            return TypedResults.Problem(title: "Nothing to confirm", statusCode: StatusCodes.Status409Conflict, detail: "Start an enrolment first.");
        }
        if (totp.Confirm(user, request.Code) is not { } codes)
        {
            return TypedResults.Problem(title: "Wrong code", statusCode: StatusCodes.Status400BadRequest,
                detail: "The code is not the authenticator's current one. Check the device's clock and try the next code.");
        }
        db.AddAuditEvent(http, time, "user.mfa_enabled", "user", user.Id.ToString());
        await db.SaveChangesAsync(ct);
        return TypedResults.Ok(new MfaRecoveryCodes(codes));
    }

    private static async Task<Results<NoContent, NotFound, ProblemHttpResult>> DisableAsync(
        MfaCodeRequest request, HttpContext http, IdentityDbContext db, TotpAuthenticator totp, TimeProvider time, CancellationToken ct)
    {
        var caller = Caller.From(http.User);
        var user = await CallerAsync(caller, db, ct);
        if (user is null)
        {
            return TypedResults.NotFound();
        }
        if (user.TotpEnabledAt is null)
        {
            return TypedResults.Problem(title: "Already off", statusCode: StatusCodes.Status409Conflict, detail: "Two-step sign-in is off.");
        }
        if (await RequiredAsync(db, caller.TenantId, ct))
        {
            return TypedResults.Problem(title: "Required", statusCode: StatusCodes.Status403Forbidden,
                detail: "Your organisation requires two-step sign-in; an admin can reset it if you lost your device.");
        }
        if (!totp.VerifyCode(user, request.Code))
        {
            return TypedResults.Problem(title: "Wrong code", statusCode: StatusCodes.Status400BadRequest, detail: "Give the authenticator's current code to turn it off.");
        }
        TotpAuthenticator.TurnOff(user);
        db.AddAuditEvent(http, time, "user.mfa_disabled", "user", user.Id.ToString());
        await db.SaveChangesAsync(ct);
        return TypedResults.NoContent();
    }

    private static async Task<IResult> ResetAsync(Guid id, HttpContext http, IdentityDbContext db, TimeProvider time, CancellationToken ct)
    {
        var (user, refusal) = await UsersApi.FindManageableUserAsync(Caller.From(http.User), id, db, ct);
        if (user is null)
        {
            return refusal!;
        }
        TotpAuthenticator.TurnOff(user);
        db.AddAuditEvent(http, time, "user.mfa_reset", "user", user.Id.ToString());
        await db.SaveChangesAsync(ct);
        return TypedResults.NoContent();
    }

    private static async Task<Ok<MfaPolicy>> SetPolicyAsync(MfaPolicy request, HttpContext http, IdentityDbContext db, TimeProvider time, CancellationToken ct)
    {
        var tenantId = Caller.From(http.User).TenantId;
        var tenant = await db.Tenants.SingleAsync(t => t.Id == tenantId, ct);
        tenant.MfaRequired = request.Required;
        db.AddAuditEvent(http, time, "tenant.mfa_policy_set", "tenant", tenantId, details: new Dictionary<string, string> { ["required"] = request.Required ? "true" : "false" });
        await db.SaveChangesAsync(ct);
        return TypedResults.Ok(new MfaPolicy(request.Required));
    }
}
