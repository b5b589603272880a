using DocAIche.ServiceDefaults.Auditing;
using DocAIche.Identity.Infrastructure;
using DocAIche.Identity.Model;
using DocAIche.Identity.Tokens;
using DocAIche.ServiceDefaults.Authentication;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace DocAIche.Identity.Apis;

/// <summary>An API key; <c>key</c> is only ever filled in the answer to its creation.</summary>
public sealed record ApiKeyResponse(
    Guid Id, string Name, string Prefix, IReadOnlyList<string> Roles, DateTimeOffset CreatedAt,
    DateTimeOffset? ExpiresAt, DateTimeOffset? RevokedAt, DateTimeOffset? LastUsedAt, Guid CreatedBy, string? Key = null);

/// <summary>A key to create. Roles default to the caller's tenant roles and may not exceed what the caller holds.</summary>
public sealed record CreateApiKeyRequest(string? Name, List<string>? Roles, DateTimeOffset? ExpiresAt);

public static class ApiKeysApi
{
    public static IEndpointRouteBuilder MapApiKeysApi(this IEndpointRouteBuilder app)
    {
        // Users manage their own keys; admins see and revoke every key of the tenant.
        var keys = app.MapGroup("/api/v1/api-keys").WithTags("API keys").RequireAuthorization(DocAIchePolicies.TenantMember);
        keys.MapPost("/", CreateAsync).WithName("CreateApiKey").WithSummary("Create an API key; the key is shown once");
        keys.MapGet("/", ListAsync).WithName("ListApiKeys").WithSummary("The caller's keys (all of the tenant's for admins)");
        keys.MapDelete("/{id:guid}", RevokeAsync).WithName("RevokeApiKey").WithSummary("Revoke an API key");
        return app;
    }

    private static ApiKeyResponse ToResponse(ApiKey k, string? key = null) =>
        new(k.Id, k.Name, k.Prefix, k.Roles, k.CreatedAt, k.ExpiresAt, k.RevokedAt, k.LastUsedAt, k.CreatedBy, key);

    private static async Task<Results<Created<ApiKeyResponse>, ValidationProblem, ForbidHttpResult>> CreateAsync(
        CreateApiKeyRequest request, HttpContext http, IdentityDbContext db, TimeProvider time, CancellationToken ct)
    {
        var caller = Caller.From(http.User);
        if (caller.UserId is not { } userId)
        {
            return TypedResults.Forbid(); // keys belong to people, not to other keys or machines
        }
        var now = time.GetUtcNow();
        var tenantRoles = caller.Roles.Where(DocAIcheRoles.IsTenantRole).ToList();
        var roles = request.Roles is null ? tenantRoles : Validation.CleanRoles(request.Roles).ToList();
        var errors = Validation.Errors();
        if (string.IsNullOrWhiteSpace(request.Name) || request.Name.Length > 200)
        {
            errors["name"] = ["A name of at most 200 characters is required."];
        }
        Validation.RequireTenantRoles(roles, errors);
        if (request.ExpiresAt is { } expires && expires <= now)
        {
            errors["expiresAt"] = ["The expiry must be in the future."];
        }
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }
        if (!roles.All(caller.Holds))
        {
            return TypedResults.Forbid();
        }

        var secret = ApiKeySecrets.Generate();
        var key = new ApiKey
        {
            Id = Guid.CreateVersion7(),
            TenantId = caller.TenantId,
            CreatedBy = userId,
            Name = request.Name!.Trim(),
            Prefix = secret[..10],
            SecretHash = ApiKeySecrets.Hash(secret),
            Roles = roles,
            CreatedAt = now,
            ExpiresAt = request.ExpiresAt,
        };
        db.ApiKeys.Add(key);
        db.AddAuditEvent(time, http, caller.TenantId, caller.Subject, "api_key.created", "api_key", key.Id.ToString());
        await db.SaveChangesAsync(ct);
        return TypedResults.Created($"/api/v1/api-keys/{key.Id}", ToResponse(key, secret));
    }

    private static async Task<Ok<List<ApiKeyResponse>>> ListAsync(HttpContext http, IdentityDbContext db, CancellationToken ct)
    {
        var caller = Caller.From(http.User);
        var query = db.ApiKeys.AsNoTracking();
        if (!caller.IsAdmin)
        {
            query = query.Where(k => k.CreatedBy == caller.UserId);
        }
        var keys = await query.OrderBy(k => k.CreatedAt).ToListAsync(ct);
        return TypedResults.Ok(keys.Select(k => ToResponse(k)).ToList());
    }

    private static async Task<Results<NoContent, NotFound>> RevokeAsync(Guid id, HttpContext http, IdentityDbContext db, TimeProvider time, CancellationToken ct)
    {
        var caller = Caller.From(http.User);
        var key = await db.ApiKeys.SingleOrDefaultAsync(k => k.Id == id, ct);
        if (key is null || (!caller.IsAdmin && key.CreatedBy != caller.UserId))
        {
            return TypedResults.NotFound();
        }
        if (key.RevokedAt is null)
        {
            key.RevokedAt = time.GetUtcNow();
            db.AddAuditEvent(time, http, caller.TenantId, caller.Subject, "api_key.revoked", "api_key", key.Id.ToString());
            await db.SaveChangesAsync(ct);
        }
        return TypedResults.NoContent();
    }
}
