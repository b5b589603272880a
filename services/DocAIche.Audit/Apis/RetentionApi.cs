using DocAIche.Audit.Infrastructure;
using DocAIche.Audit.Model;
using DocAIche.Audit.Retention;
using DocAIche.Audit.Trail;
using DocAIche.Contracts.Audit;
using DocAIche.ServiceDefaults.Authentication;
using DocAIche.ServiceDefaults.Data;
using DocAIche.ServiceDefaults.Messaging;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace DocAIche.Audit.Apis;

/// <summary>How long the tenant keeps audit records and search query history (and feedback), in days.</summary>
public sealed record RetentionSettings(int AuditRecordDays, int QueryHistoryDays);

public static class RetentionApi
{
    public static IEndpointRouteBuilder MapRetentionApi(this IEndpointRouteBuilder app)
    {
        var retention = app.MapGroup("/api/v1/audit/retention").WithTags("Retention");

        retention.MapGet("/", GetAsync)
            .WithName("GetRetention").WithSummary("The tenant's retention of audit records and query history")
            .RequireAuthorization(DocAIchePolicies.Audit);
        retention.MapPut("/", SetAsync)
            .WithName("SetRetention").WithSummary("Change the tenant's retention; services purge by it on their next round")
            .RequireAuthorization(DocAIchePolicies.Administer);
        retention.MapPost("/purge", PurgeAsync)
            .WithName("PurgeByRetention").WithSummary("Apply the tenant's retention now: old audit records give way to a signed checkpoint, old query history is deleted")
            .RequireAuthorization(DocAIchePolicies.Administer);
        return app;
    }

    internal static async Task<Ok<RetentionSettings>> GetAsync(HttpContext http, AuditDbContext db, IOptions<RetentionOptions> options, CancellationToken cancellationToken)
    {
        var tenant = http.User.GetTenantId();
        var policy = await db.RetentionPolicies.AsNoTracking().FirstOrDefaultAsync(cancellationToken);
        return TypedResults.Ok(policy is null
            ? new RetentionSettings(options.Value.DefaultAuditRecordDays, options.Value.DefaultQueryHistoryDays)
            : new RetentionSettings(policy.AuditRecordDays, policy.QueryHistoryDays));
    }

    internal static async Task<Results<Ok<RetentionSettings>, ValidationProblem>> SetAsync(
        HttpContext http, RetentionSettings settings, AuditDbContext db, AuditLedger ledger, IOptions<RetentionOptions> options, TimeProvider time,
        CancellationToken cancellationToken)
    {
        var (minimum, maximum) = (options.Value.MinimumDays, options.Value.MaximumDays);
        var errors = new Dictionary<string, string[]>();
        if (settings.AuditRecordDays < minimum || settings.AuditRecordDays > maximum)
        {
            errors["auditRecordDays"] = [$"Between {minimum} and {maximum} days."];
        }
        if (settings.QueryHistoryDays < minimum || settings.QueryHistoryDays > maximum)
        {
            errors["queryHistoryDays"] = [$"Between {minimum} and {maximum} days."];
        }
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var tenant = http.User.GetTenantId();
        await db.InTransactionAsync(async token =>
        {
            db.ChangeTracker.Clear();
            var policy = await db.RetentionPolicies.FirstOrDefaultAsync(token);
            if (policy is null)
            {
                policy = new RetentionPolicy { TenantId = tenant };
                db.RetentionPolicies.Add(policy);
            }
            policy.AuditRecordDays = settings.AuditRecordDays;
            policy.QueryHistoryDays = settings.QueryHistoryDays;
            policy.UpdatedAt = time.GetUtcNow();
            await ledger.AppendAsync(ledger.EntryFor(http, "retention.changed", "tenant", tenant, new Dictionary<string, string>
            {
                ["auditRecordDays"] = settings.AuditRecordDays.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["queryHistoryDays"] = settings.QueryHistoryDays.ToString(System.Globalization.CultureInfo.InvariantCulture),
            }), Guid.CreateVersion7(), token);
            db.AddIntegrationEvent(new RetentionPolicyChanged(tenant, settings.AuditRecordDays, settings.QueryHistoryDays, false, time.GetUtcNow()), time);
            await db.SaveChangesAsync(token);
        }, cancellationToken);
        return TypedResults.Ok(settings);
    }

    internal static async Task<Ok<PurgeResult>> PurgeAsync(
        HttpContext http, AuditDbContext db, AuditLedger ledger, RetentionPurger purger, IOptions<RetentionOptions> options, TimeProvider time,
        CancellationToken cancellationToken)
    {
        var tenant = http.User.GetTenantId();
        var result = await purger.PurgeAsync(tenant, cancellationToken);
        var policy = await db.RetentionPolicies.AsNoTracking().FirstOrDefaultAsync(cancellationToken);
        await db.InTransactionAsync(async token =>
        {
            db.ChangeTracker.Clear();
            await ledger.AppendAsync(ledger.EntryFor(http, "retention.purged", "tenant", tenant, new Dictionary<string, string>
            {
                ["purgedRecords"] = result.PurgedRecords.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["throughSequence"] = (result.ThroughSequence ?? 0).ToString(System.Globalization.CultureInfo.InvariantCulture),
            }), Guid.CreateVersion7(), token);
            db.AddIntegrationEvent(new RetentionPolicyChanged(tenant,
                policy?.AuditRecordDays ?? options.Value.DefaultAuditRecordDays, policy?.QueryHistoryDays ?? options.Value.DefaultQueryHistoryDays,
                true, time.GetUtcNow()), time);
            await db.SaveChangesAsync(token);
        }, cancellationToken);
        return TypedResults.Ok(result);
    }
}
