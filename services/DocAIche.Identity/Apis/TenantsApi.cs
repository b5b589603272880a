using DocAIche.ServiceDefaults.Data;
using DocAIche.ServiceDefaults.Auditing;
using System.ComponentModel.DataAnnotations;
using System.Text.RegularExpressions;
using DocAIche.Identity.Infrastructure;
using DocAIche.Identity.Model;
using DocAIche.ServiceDefaults.Authentication;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace DocAIche.Identity.Apis;

public sealed record TenantResponse(string Id, string Name, DateTimeOffset CreatedAt);

/// <summary>A tenant to create with its first owner.</summary>
public sealed record CreateTenantRequest(string? Id, string? Name, string? OwnerEmail, string? OwnerPassword);

public static partial class TenantsApi
{
    public static IEndpointRouteBuilder MapTenantsApi(this IEndpointRouteBuilder app)
    {
        var tenants = app.MapGroup("/api/v1/tenants").WithTags("Tenants").RequireAuthorization(DocAIchePolicies.Operate);
        tenants.MapGet("/", async (IdentityDbContext db, CancellationToken ct) =>
                TypedResults.Ok(await db.Tenants.AsNoTracking().OrderBy(t => t.Id).Select(t => new TenantResponse(t.Id, t.Name, t.CreatedAt)).ToListAsync(ct)))
            .WithName("ListTenants").WithSummary("Every tenant (operators)");
        tenants.MapPost("/", CreateAsync).WithName("CreateTenant").WithSummary("Create a tenant and its first owner (operators)");
        return app;
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{1,62}$")]
    private static partial Regex TenantIdPattern();

    private static async Task<Results<Created<TenantResponse>, ValidationProblem, ProblemHttpResult>> CreateAsync(
        CreateTenantRequest request, HttpContext http, IdentityDbContext db, IOptions<IdentityServiceOptions> options, TimeProvider time, CancellationToken ct)
    {
        var errors = Validation.Errors();
        if (request.Id is null || !TenantIdPattern().IsMatch(request.Id))
        {
            errors["id"] = ["2-63 lower-case letters, digits and dashes, starting with a letter or digit."];
        }
        if (string.IsNullOrWhiteSpace(request.Name) || request.Name.Length > 200)
        {
            errors["name"] = ["A name of at most 200 characters is required."];
        }
        if (string.IsNullOrWhiteSpace(request.OwnerEmail) || !new EmailAddressAttribute().IsValid(request.OwnerEmail.Trim()))
        {
            errors["ownerEmail"] = ["A valid email address is required."];
        }
        if (request.OwnerPassword is null || request.OwnerPassword.Length < options.Value.MinimumPasswordLength)
        {
            errors["ownerPassword"] = [$"Passwords have at least {options.Value.MinimumPasswordLength} characters."];
        }
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }
        var normalized = User.Normalize(request.OwnerEmail!);
        if (await db.Tenants.AnyAsync(t => t.Id == request.Id, ct) || await db.Users.AcrossTenants().AnyAsync(u => u.NormalizedEmail == normalized, ct))
        {
            return TypedResults.Problem(title: "Conflict", detail: "The tenant id or the owner's email is taken.", statusCode: StatusCodes.Status409Conflict);
        }

        var now = time.GetUtcNow();
        var tenant = new Tenant { Id = request.Id!, Name = request.Name!.Trim(), CreatedAt = now };
        var owner = new User
        {
            Id = Guid.CreateVersion7(),
            TenantId = tenant.Id,
            Email = request.OwnerEmail!.Trim(),
            NormalizedEmail = normalized,
            DisplayName = "Owner",
            Roles = [DocAIcheRoles.Owner],
            CreatedAt = now,
        };
        owner.PasswordHash = new PasswordHasher<User>().HashPassword(owner, request.OwnerPassword!);
        db.Tenants.Add(tenant);
        db.Users.Add(owner);
        var actor = http.User.GetSubject();
        db.AddAuditEvent(time, http, tenant.Id, actor, "tenant.created", "tenant", tenant.Id);
        db.AddAuditEvent(time, http, tenant.Id, actor, "user.created", "user", owner.Id.ToString());
        await db.SaveChangesAsync(ct);
        return TypedResults.Created($"/api/v1/tenants/{tenant.Id}", new TenantResponse(tenant.Id, tenant.Name, tenant.CreatedAt));
    }
}
