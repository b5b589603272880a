using DocAIche.Identity.Tokens;
using DocAIche.ServiceDefaults.Data;
using DocAIche.ServiceDefaults.Auditing;
using System.ComponentModel.DataAnnotations;
using DocAIche.Identity.Infrastructure;
using DocAIche.Identity.Model;
using DocAIche.ServiceDefaults.Authentication;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace DocAIche.Identity.Apis;

/// <summary>A user of the caller's tenant.</summary>
public sealed record UserResponse(Guid Id, string Email, string DisplayName, IReadOnlyList<string> Roles, bool Disabled, DateTimeOffset CreatedAt, DateTimeOffset? LastSignInAt);

/// <summary>A user to create in the caller's tenant.</summary>
public sealed record CreateUserRequest(string? Email, string? DisplayName, string? Password, List<string>? Roles);

/// <summary>The complete set of roles the user should have.</summary>
public sealed record SetRolesRequest(List<string>? Roles);

public static class UsersApi
{
    public static IEndpointRouteBuilder MapUsersApi(this IEndpointRouteBuilder app)
    {
        var users = app.MapGroup("/api/v1/users").WithTags("Users");

        users.MapGet("/me", GetMeAsync).WithName("GetMyProfile").WithSummary("The signed-in user's own profile")
            .RequireAuthorization(DocAIchePolicies.TenantMember);
        users.MapGet("/", ListAsync).WithName("ListUsers").WithSummary("The tenant's users")
            .RequireAuthorization(DocAIchePolicies.Administer);
        users.MapGet("/{id:guid}", GetAsync).WithName("GetUser").WithSummary("One user of the tenant; 404 for anyone else")
            .RequireAuthorization(DocAIchePolicies.Administer);
        users.MapPost("/", CreateAsync).WithName("CreateUser").WithSummary("Create a user in the tenant")
            .RequireAuthorization(DocAIchePolicies.Administer);
        users.MapPut("/{id:guid}/roles", SetRolesAsync).WithName("SetUserRoles").WithSummary("Replace a user's roles")
            .RequireAuthorization(DocAIchePolicies.Administer);
        users.MapPost("/{id:guid}/disable", (Guid id, HttpContext http, IdentityDbContext db, TimeProvider time, CancellationToken ct) => SetDisabledAsync(id, true, http, db, time, ct))
            .WithName("DisableUser").WithSummary("Disable a user: no sign-in, no new tokens").RequireAuthorization(DocAIchePolicies.Administer)
            .Produces<UserResponse>().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status403Forbidden);
        users.MapPost("/{id:guid}/enable", (Guid id, HttpContext http, IdentityDbContext db, TimeProvider time, CancellationToken ct) => SetDisabledAsync(id, false, http, db, time, ct))
            .WithName("EnableUser").WithSummary("Enable a disabled user").RequireAuthorization(DocAIchePolicies.Administer)
            .Produces<UserResponse>().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status403Forbidden);
        users.MapDelete("/{id:guid}", DeleteAsync).WithName("DeleteUser").WithSummary("Delete a user and their API keys")
            .RequireAuthorization(DocAIchePolicies.Administer)
            .Produces(StatusCodes.Status204NoContent).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status403Forbidden);
        return app;
    }

    private static UserResponse ToResponse(User u) => new(u.Id, u.Email, u.DisplayName, u.Roles, u.Disabled, u.CreatedAt, u.LastSignInAt);

    private static async Task<Results<Ok<UserResponse>, NotFound>> GetMeAsync(HttpContext http, IdentityDbContext db, CancellationToken ct)
    {
        var caller = Caller.From(http.User);
        var user = caller.UserId is { } id ? await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.Id == id, ct) : null;
        return user is null ? TypedResults.NotFound() : TypedResults.Ok(ToResponse(user));
    }

    private static async Task<Results<Ok<UserResponse>, NotFound>> GetAsync(Guid id, HttpContext http, IdentityDbContext db, CancellationToken ct)
    {
        var tenant = http.User.GetTenantId();
        var user = await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.Id == id, ct);
        return user is null ? TypedResults.NotFound() : TypedResults.Ok(ToResponse(user));
    }

    private static async Task<Ok<List<UserResponse>>> ListAsync(HttpContext http, IdentityDbContext db, CancellationToken ct)
    {
        var tenant = http.User.GetTenantId();
        var users = await db.Users.AsNoTracking().OrderBy(u => u.Email).ToListAsync(ct);
        return TypedResults.Ok(users.Select(ToResponse).ToList());
    }

    private static async Task<Results<Created<UserResponse>, ValidationProblem, ProblemHttpResult, ForbidHttpResult>> CreateAsync(
        CreateUserRequest request, HttpContext http, IdentityDbContext db, IOptions<IdentityServiceOptions> options, TimeProvider time, CancellationToken ct)
    {
        var caller = Caller.From(http.User);
        var roles = Validation.CleanRoles(request.Roles);
        var errors = Validation.Errors();
        if (string.IsNullOrWhiteSpace(request.Email) || !new EmailAddressAttribute().IsValid(request.Email.Trim()) || request.Email.Length > 256)
        {
            errors["email"] = ["A valid email address is required."];
        }
        if (string.IsNullOrWhiteSpace(request.DisplayName) || request.DisplayName.Length > 200)
        {
            errors["displayName"] = ["A display name of at most 200 characters is required."];
        }
        if (request.Password is { } password && password.Length < options.Value.MinimumPasswordLength)
        {
            errors["password"] = [$"Passwords have at least {options.Value.MinimumPasswordLength} characters."];
        }
        Validation.RequireTenantRoles(roles, errors);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }
        if (!caller.MayGrant(roles))
        {
            return TypedResults.Forbid();
        }

        var normalized = User.Normalize(request.Email!);
        // An email signs in to one account of the whole platform: unique across tenants.
        if (await db.Users.AcrossTenants().AnyAsync(u => u.NormalizedEmail == normalized, ct))
        {
            return TypedResults.Problem(title: "Conflict", detail: "A user with this email already exists.", statusCode: StatusCodes.Status409Conflict);
        }
        var user = new User
        {
            Id = Guid.CreateVersion7(),
            TenantId = caller.TenantId,
            Email = request.Email!.Trim(),
            NormalizedEmail = normalized,
            DisplayName = request.DisplayName!.Trim(),
            Roles = [.. roles],
            CreatedAt = time.GetUtcNow(),
        };
        if (request.Password is not null)
        {
            user.PasswordHash = new PasswordHasher<User>().HashPassword(user, request.Password);
        }
        db.Users.Add(user);
        db.AddAuditEvent(time, http, caller.TenantId, caller.Subject, "user.created", "user", user.Id.ToString());
        await db.SaveChangesAsync(ct);
        return TypedResults.Created($"/api/v1/users/{user.Id}", ToResponse(user));
    }

    private static async Task<Results<Ok<UserResponse>, NotFound, ValidationProblem, ForbidHttpResult>> SetRolesAsync(
        Guid id, SetRolesRequest request, HttpContext http, IdentityDbContext db, TimeProvider time, CancellationToken ct)
    {
        var caller = Caller.From(http.User);
        var roles = Validation.CleanRoles(request.Roles);
        var errors = Validation.Errors();
        Validation.RequireTenantRoles(roles, errors);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }
        var user = await db.Users.SingleOrDefaultAsync(u => u.Id == id, ct);
        if (user is null)
        {
            return TypedResults.NotFound();
        }
        // Changing an owner, or making one, is for owners only; the platform role is kept as it is.
        if (!caller.MayGrant(roles) || (user.Roles.Contains(DocAIcheRoles.Owner) && !caller.IsOwner))
        {
            return TypedResults.Forbid();
        }
        user.Roles = [.. roles, .. user.Roles.Where(r => r == DocAIcheRoles.Operator)];
        db.AddAuditEvent(time, http, caller.TenantId, caller.Subject, "user.roles_changed", "user", user.Id.ToString());
        await db.SaveChangesAsync(ct);
        return TypedResults.Ok(ToResponse(user));
    }

    // A user of the caller's tenant whom the caller may disable or delete: not themselves, and owners only by owners.
    internal static async Task<(User? User, IResult? Refusal)> FindManageableUserAsync(Caller caller, Guid id, IdentityDbContext db, CancellationToken ct)
    {
        var user = await db.Users.SingleOrDefaultAsync(u => u.Id == id, ct);
        if (user is null)
        {
            return (null, TypedResults.NotFound());
        }
        return (user.Roles.Contains(DocAIcheRoles.Owner) && !caller.IsOwner) || user.Id == caller.UserId
            ? (null, TypedResults.Forbid())
            : (user, null);
    }

    private static async Task<IResult> SetDisabledAsync(
        Guid id, bool disabled, HttpContext http, IdentityDbContext db, TimeProvider time, CancellationToken ct)
    {
        var caller = Caller.From(http.User);
        var (user, refusal) = await FindManageableUserAsync(caller, id, db, ct);
        if (user is null)
        {
            return refusal!;
        }
        user.Disabled = disabled;
        db.AddAuditEvent(time, http, caller.TenantId, caller.Subject, disabled ? "user.disabled" : "user.enabled", "user", user.Id.ToString());
        await db.SaveChangesAsync(ct);
        if (disabled)
        {
            // Their tokens, refresh tokens and open live connections stop now, not when they expire.
            await http.RequestServices.GetRequiredService<AccessRevocation>().AnnounceAsync([$"user:{user.Id}"], ct);
        }
        return TypedResults.Ok(ToResponse(user));
    }

    private static async Task<IResult> DeleteAsync(
        Guid id, HttpContext http, IdentityDbContext db, TimeProvider time, CancellationToken ct)
    {
        var caller = Caller.From(http.User);
        var (user, refusal) = await FindManageableUserAsync(caller, id, db, ct);
        if (user is null)
        {
            return refusal!;
        }
        var keys = await db.ApiKeys.Where(k => k.CreatedBy == user.Id).ToListAsync(ct);
        db.Users.Remove(user);
        db.ApiKeys.RemoveRange(keys);
        db.AddAuditEvent(time, http, caller.TenantId, caller.Subject, "user.deleted", "user", user.Id.ToString());
        await db.SaveChangesAsync(ct);
        await http.RequestServices.GetRequiredService<AccessRevocation>().AnnounceAsync([$"user:{user.Id}", .. keys.Select(k => $"apikey:{k.Id}")], ct);
        return TypedResults.NoContent();
    }
}
