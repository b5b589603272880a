using DocAIche.Identity.Infrastructure;
using DocAIche.Identity.Quotas;
using DocAIche.ServiceDefaults.Auditing;
using DocAIche.ServiceDefaults.Authentication;
using DocAIche.ServiceDefaults.Quotas;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace DocAIche.Identity.Apis;

/// <summary>A tenant's quotas; a field left out (or null) is no limit.</summary>
/// <param name="Libraries">Libraries it may own.</param>
/// <param name="Documents">Documents stored across its libraries.</param>
/// <param name="StorageBytes">Bytes of documentation stored (Markdown, UTF-8).</param>
/// <param name="SearchesPerDay">Searches (REST, MCP tools and answers) per UTC day.</param>
/// <param name="LiveConnections">Live connections open at once.</param>
public sealed record QuotasRequest(long? Libraries = null, long? Documents = null, long? StorageBytes = null, long? SearchesPerDay = null, long? LiveConnections = null);

public static class QuotasApi
{
    private const long Largest = 1_000_000_000_000_000;

    public static IEndpointRouteBuilder MapQuotasApi(this IEndpointRouteBuilder app)
    {
        var operators = app.MapGroup("/api/v1/tenants/{id}/quotas").WithTags("Quotas").RequireAuthorization(DocAIchePolicies.Operate);
        operators.MapGet("/", GetAsync).WithName("GetTenantQuotas").WithSummary("A tenant's quotas (operators)");
        operators.MapPut("/", SetAsync).WithName("SetTenantQuotas").WithSummary("Set a tenant's quotas; a missing field is no limit (operators)");
        app.MapGet("/api/v1/quotas", OwnAsync).WithTags("Quotas").WithName("GetOwnQuotas")
            .WithSummary("The caller's tenant's quotas").RequireAuthorization(DocAIchePolicies.TenantMember);
        return app;
    }

    private static async Task<Results<Ok<TenantQuotas>, NotFound>> GetAsync(string id, IdentityDbContext db, CancellationToken ct) =>
        await db.Tenants.AsNoTracking().SingleOrDefaultAsync(t => t.Id == id, ct) is { } tenant ? TypedResults.Ok(tenant.Quotas()) : TypedResults.NotFound();

    private static async Task<Results<Ok<TenantQuotas>, NotFound>> OwnAsync(HttpContext http, IdentityDbContext db, CancellationToken ct) =>
        await GetAsync(http.User.GetTenantId(), db, ct);

    private static async Task<Results<Ok<TenantQuotas>, ValidationProblem, NotFound>> SetAsync(
        string id, QuotasRequest request, HttpContext http, IdentityDbContext db, QuotaPublisher publisher, TimeProvider time, CancellationToken ct)
    {
        var errors = Validation.Errors();
        foreach (var (name, value) in new (string, long?)[]
        {
            (QuotaNames.Libraries, request.Libraries), (QuotaNames.Documents, request.Documents), ("storageBytes", request.StorageBytes),
            (QuotaNames.SearchesPerDay, request.SearchesPerDay), (QuotaNames.LiveConnections, request.LiveConnections),
        })
        {
            if (value is < 0 or > Largest)
            {
                errors[name] = [$"A quota is a whole number from 0 to {Largest:N0}, or null for no limit."];
            }
        }
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }
        var tenant = await db.Tenants.SingleOrDefaultAsync(t => t.Id == id, ct);
        if (tenant is null)
        {
            return TypedResults.NotFound();
        }
        var quotas = new TenantQuotas(request.Libraries, request.Documents, request.StorageBytes, request.SearchesPerDay, request.LiveConnections);
        tenant.SetQuotas(quotas);
        db.AddAuditEvent(time, http, tenant.Id, http.User.GetSubject(), "tenant.quotas_changed", "tenant", tenant.Id, details: new Dictionary<string, string>
        {
            ["quotas"] = quotas.ToJson(),
        });
        await db.SaveChangesAsync(ct);
        await publisher.PublishAsync(tenant.Id, quotas);
        return TypedResults.Ok(quotas);
    }
}
