using DocAIche.ServiceDefaults.Auditing;
using System.Security.Cryptography;
using DocAIche.Identity.Infrastructure;
using DocAIche.Identity.Model;
using DocAIche.ServiceDefaults.Authentication;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace DocAIche.Identity.Apis;

/// <summary>An OAuth client for machine access; <c>clientSecret</c> only in the answer to its creation.</summary>
public sealed record ClientResponse(string ClientId, string DisplayName, IReadOnlyList<string> Roles, DateTimeOffset CreatedAt, string? ClientSecret = null);

/// <summary>A machine client to register for the caller's tenant.</summary>
public sealed record CreateClientRequest(string? DisplayName, List<string>? Roles);

public static class ClientsApi
{
    public static IEndpointRouteBuilder MapClientsApi(this IEndpointRouteBuilder app)
    {
        var clients = app.MapGroup("/api/v1/clients").WithTags("Clients").RequireAuthorization(DocAIchePolicies.Administer);
        clients.MapPost("/", CreateAsync).WithName("CreateClient").WithSummary("Register a client-credentials client; the secret is shown once");
        clients.MapGet("/", ListAsync).WithName("ListClients").WithSummary("The tenant's machine clients");
        clients.MapDelete("/{clientId}", DeleteAsync).WithName("DeleteClient").WithSummary("Delete a machine client");
        return app;
    }

    private static async Task<Results<Created<ClientResponse>, ValidationProblem, ForbidHttpResult>> CreateAsync(
        CreateClientRequest request, HttpContext http, IdentityDbContext db, IOpenIddictApplicationManager applications, TimeProvider time, CancellationToken ct)
    {
        var caller = Caller.From(http.User);
        if (caller.UserId is null)
        {
            return TypedResults.Forbid(); // a client acts for the person who created it, never for another key or machine
        }
        var roles = Validation.CleanRoles(request.Roles);
        var errors = Validation.Errors();
        if (string.IsNullOrWhiteSpace(request.DisplayName) || request.DisplayName.Length > 200)
        {
            errors["displayName"] = ["A display name of at most 200 characters is required."];
        }
        Validation.RequireTenantRoles(roles, errors);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }
        if (!caller.MayGrant(roles) || roles.Contains(DocAIcheRoles.Owner))
        {
            return TypedResults.Forbid();
        }

        var clientId = $"{caller.TenantId}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6))}";
        var secret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var client = new MachineClient
        {
            ClientId = clientId,
            TenantId = caller.TenantId,
            DisplayName = request.DisplayName!.Trim(),
            Roles = [.. roles],
            CreatedBy = caller.UserId.Value,
            CreatedAt = time.GetUtcNow(),
        };
        db.MachineClients.Add(client);
        db.AddAuditEvent(time, http, caller.TenantId, caller.Subject, "client.created", "client", clientId);
        await db.SaveChangesAsync(ct);
        await applications.CreateAsync(new OpenIddictApplicationDescriptor
        {
            ClientId = clientId,
            ClientSecret = secret,
            DisplayName = client.DisplayName,
            ClientType = ClientTypes.Confidential,
            Permissions =
            {
                Permissions.Endpoints.Token, Permissions.Endpoints.Revocation, Permissions.Endpoints.Introspection,
                Permissions.GrantTypes.ClientCredentials, Permissions.Prefixes.Scope + DocAIchePolicies.ApiScope,
            },
        }, ct);
        return TypedResults.Created($"/api/v1/clients/{clientId}", new ClientResponse(clientId, client.DisplayName, client.Roles, client.CreatedAt, secret));
    }

    private static async Task<Ok<List<ClientResponse>>> ListAsync(HttpContext http, IdentityDbContext db, CancellationToken ct)
    {
        var tenant = http.User.GetTenantId();
        var clients = await db.MachineClients.AsNoTracking().OrderBy(c => c.CreatedAt).ToListAsync(ct);
        return TypedResults.Ok(clients.Select(c => new ClientResponse(c.ClientId, c.DisplayName, c.Roles, c.CreatedAt)).ToList());
    }

    private static async Task<Results<NoContent, NotFound>> DeleteAsync(
        string clientId, HttpContext http, IdentityDbContext db, IOpenIddictApplicationManager applications, TimeProvider time, CancellationToken ct)
    {
        var caller = Caller.From(http.User);
        var client = await db.MachineClients.SingleOrDefaultAsync(c => c.ClientId == clientId, ct);
        if (client is null)
        {
            return TypedResults.NotFound();
        }
        db.MachineClients.Remove(client);
        db.AddAuditEvent(time, http, caller.TenantId, caller.Subject, "client.deleted", "client", clientId);
        await db.SaveChangesAsync(ct);
        if (await applications.FindByClientIdAsync(clientId, ct) is { } application)
        {
            await applications.DeleteAsync(application, ct);
        }
        return TypedResults.NoContent();
    }
}
