using DocAIche.Audit.Infrastructure;
using DocAIche.Audit.Model;
using DocAIche.Audit.Trail;
using DocAIche.ServiceDefaults.Privacy;
using Microsoft.EntityFrameworkCore;

namespace DocAIche.Audit.Privacy;

public static class PrivacyKinds
{
    public const string Export = "export";
    public const string Erasure = "erasure";
}

/// <summary>
/// Collects the services' answers to a privacy request and completes it when every one has
/// answered. Completing an erasure also forgets the subject here: the request no longer names
/// them, earlier export bundles are deleted, and published events that named them are purged.
/// Runs inside the caller's transaction.
/// </summary>
public sealed class PrivacyRequests(AuditDbContext db, AuditLedger ledger, SubjectKeys keys, TimeProvider time)
{
    public async Task AnswerAsync(Guid requestId, string tenantId, string service, string? data, string? summary, CancellationToken cancellationToken)
    {
        // Answers arrive at once from several services, and only one of them may see the last part arrive:
        // lock the request first, then read it and its parts in a new statement, whose snapshot (read
        // committed) includes what the answers before this one committed. One statement doing both
        // would read the parts as they were when it started waiting.
        await db.Database.ExecuteSqlAsync(
            $"""SELECT 1 FROM privacy_requests WHERE "Id" = {requestId} AND "TenantId" = {tenantId} FOR UPDATE""", cancellationToken);
        var request = await db.PrivacyRequests.Include(r => r.Parts)
            .FirstOrDefaultAsync(r => r.Id == requestId && r.TenantId == tenantId, cancellationToken);
        if (request is null || request.Parts.Any(p => p.Service == service))
        {
            return;
        }
        request.Parts.Add(new PrivacyRequestPart { RequestId = request.Id, Service = service, Data = data, Summary = summary, At = time.GetUtcNow() });
        if (request.State == "completed" || !request.Services.All(s => request.Parts.Any(p => p.Service == s)))
        {
            return;
        }

        request.State = "completed";
        request.CompletedAt = time.GetUtcNow();
        await ledger.AppendAsync(new AuditEntry(tenantId, time.GetUtcNow(), "service:audit", $"privacy.{request.Kind}.completed", "privacy-request",
            request.Id.ToString(), "success"), Guid.CreateVersion7(), cancellationToken);

        if (request.Kind == PrivacyKinds.Erasure && request.SubjectId is { } subject)
        {
            await ForgetAsync(request, subject, cancellationToken);
        }
    }

    private async Task ForgetAsync(PrivacyRequest erasure, string subject, CancellationToken cancellationToken)
    {
        var earlier = await db.PrivacyRequests.Include(r => r.Parts)
            .Where(r => r.TenantId == erasure.TenantId && r.SubjectId == subject && r.Id != erasure.Id)
            .ToListAsync(cancellationToken);
        foreach (var request in earlier.Append(erasure))
        {
            request.SubjectId = null;
            if (request.RequestedBy == subject)
            {
                request.RequestedBy = null;
            }
            foreach (var part in request.Parts.Where(p => p.Data is not null))
            {
                part.Data = null;
            }
        }
        // In case an answer raced the erasure of the subject's key.
        await keys.EraseAsync(erasure.TenantId, [subject], cancellationToken);
        await db.DeleteSentEventsAboutAsync(erasure.TenantId, PrivacyErasure.IdentifiersOf(subject), cancellationToken);
    }
}
