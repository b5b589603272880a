using System.Globalization;
using System.Text;
using DocAIche.Identity.Infrastructure;
using DocAIche.ServiceDefaults.Auditing;
using DocAIche.ServiceDefaults.Authentication;
using DocAIche.ServiceDefaults.Http;
using Microsoft.EntityFrameworkCore;

namespace DocAIche.Identity.Apis;

/// <summary>A person: what they hold and when they last signed in.</summary>
public sealed record AccessReviewUser(
    Guid Id, string Email, string DisplayName, IReadOnlyList<string> Roles, bool Disabled, string SignsInWith, bool TwoStep,
    DateTimeOffset CreatedAt, DateTimeOffset? LastSignInAt, int? DaysSinceSignIn);

/// <summary>An API key: whose, how old, and whether it was ever used.</summary>
public sealed record AccessReviewApiKey(
    Guid Id, string Name, string Prefix, string? CreatedBy, IReadOnlyList<string> Roles, DateTimeOffset CreatedAt, int AgeDays,
    DateTimeOffset? ExpiresAt, DateTimeOffset? RevokedAt, DateTimeOffset? LastUsedAt, bool NeverUsed);

/// <summary>A machine client.</summary>
public sealed record AccessReviewClient(string ClientId, string DisplayName, string? CreatedBy, IReadOnlyList<string> Roles, DateTimeOffset CreatedAt, int AgeDays);

/// <summary>Who holds which role in the tenant, how they sign in, and every key and client with its age and use.</summary>
public sealed record AccessReview(
    string TenantId, DateTimeOffset GeneratedAt, string GeneratedBy, bool TwoStepRequired, bool SsoEnforced,
    IReadOnlyList<AccessReviewUser> Users, IReadOnlyList<AccessReviewApiKey> ApiKeys, IReadOnlyList<AccessReviewClient> Clients);

public static class ReportsApi
{
    private static readonly string[] Sections = ["users", "api-keys", "clients"];

    public static IEndpointRouteBuilder MapReportsApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/reports/access-review", AccessReviewAsync).WithTags("Reports").RequireAuthorization(DocAIchePolicies.Audit)
            .WithName("GetAccessReview")
            .WithSummary("Who holds which role, how they sign in and when they last did, and every API key and client with its age and last use (JSON; CSV per `section`: users, api-keys, clients). Generating it is audited.")
            .Produces<AccessReview>().ProducesValidationProblem();
        return app;
    }

    private static async Task<IResult> AccessReviewAsync(HttpContext http, IdentityDbContext db, TimeProvider time, string? format, string? section, CancellationToken ct)
    {
        format ??= "json";
        var errors = Validation.Errors();
        ReportFormat.Validate(format, section, Sections, errors);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var caller = Caller.From(http.User);
        var now = time.GetUtcNow();
        int Days(DateTimeOffset since) => (int)Math.Floor((now - since).TotalDays);
        var people = await db.Users.AsNoTracking().OrderBy(u => u.Email).ToListAsync(ct);
        var emails = people.ToDictionary(u => u.Id, u => u.Email);
        var users = people.Select(u => new AccessReviewUser(u.Id, u.Email, u.DisplayName, u.Roles, u.Disabled,
            u.ExternalSubject is not null && u.PasswordHash is null ? "sso" : u.ExternalSubject is not null ? "sso+password" : "password",
            u.TotpEnabledAt is not null, u.CreatedAt, u.LastSignInAt, u.LastSignInAt is { } last ? Days(last) : null)).ToList();
        var keys = (await db.ApiKeys.AsNoTracking().OrderBy(k => k.CreatedAt).ToListAsync(ct))
            .Select(k => new AccessReviewApiKey(k.Id, k.Name, k.Prefix, emails.GetValueOrDefault(k.CreatedBy), k.Roles, k.CreatedAt, Days(k.CreatedAt),
                k.ExpiresAt, k.RevokedAt, k.LastUsedAt, k.LastUsedAt is null)).ToList();
        var clients = (await db.MachineClients.AsNoTracking().OrderBy(c => c.CreatedAt).ToListAsync(ct))
            .Select(c => new AccessReviewClient(c.ClientId, c.DisplayName, emails.GetValueOrDefault(c.CreatedBy), c.Roles, c.CreatedAt, Days(c.CreatedAt))).ToList();
        var review = new AccessReview(caller.TenantId, now, caller.Subject, await MfaApi.RequiredAsync(db, caller.TenantId, ct),
            await db.IdentityProviders.AnyAsync(p => p.Enabled && p.EnforceSso, ct), users, keys, clients);

        db.AddAuditEvent(http, time, "report.generated", "report", "access-review", details: new Dictionary<string, string>
        {
            ["format"] = format == "csv" ? $"csv:{section}" : "json",
        });
        await db.SaveChangesAsync(ct);
        return format == "json" ? TypedResults.Ok(review) : ReportFormat.Csv(CsvOf(review, section!));
    }

    private static string CsvOf(AccessReview review, string section)
    {
        var csv = new StringBuilder();
        switch (section)
        {
            case "users":
                csv.AppendLine(Csv.Line("id", "email", "display_name", "roles", "disabled", "signs_in_with", "two_step", "created_at", "last_sign_in_at", "days_since_sign_in"));
                foreach (var u in review.Users)
                {
                    csv.AppendLine(Csv.Line(u.Id.ToString(), u.Email, u.DisplayName, string.Join(' ', u.Roles), u.Disabled ? "true" : "false", u.SignsInWith,
                        u.TwoStep ? "true" : "false", Csv.Time(u.CreatedAt), Csv.Time(u.LastSignInAt), Csv.Number(u.DaysSinceSignIn)));
                }
                break;
            case "api-keys":
                csv.AppendLine(Csv.Line("id", "name", "prefix", "created_by", "roles", "created_at", "age_days", "expires_at", "revoked_at", "last_used_at", "never_used"));
                foreach (var k in review.ApiKeys)
                {
                    csv.AppendLine(Csv.Line(k.Id.ToString(), k.Name, k.Prefix, k.CreatedBy, string.Join(' ', k.Roles), Csv.Time(k.CreatedAt), Csv.Number(k.AgeDays),
                        Csv.Time(k.ExpiresAt), Csv.Time(k.RevokedAt), Csv.Time(k.LastUsedAt), k.NeverUsed ? "true" : "false"));
                }
                break;
            default:
                csv.AppendLine(Csv.Line("client_id", "display_name", "created_by", "roles", "created_at", "age_days"));
                foreach (var c in review.Clients)
                {
                    csv.AppendLine(Csv.Line(c.ClientId, c.DisplayName, c.CreatedBy, string.Join(' ', c.Roles), Csv.Time(c.CreatedAt), Csv.Number(c.AgeDays)));
                }
                break;
        }
        return csv.ToString();
    }
}
