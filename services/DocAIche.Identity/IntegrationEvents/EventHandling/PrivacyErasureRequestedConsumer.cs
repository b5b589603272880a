using DocAIche.ServiceDefaults.Privacy;
using DocAIche.Contracts.Privacy;
using DocAIche.Identity.Infrastructure;
using DocAIche.ServiceDefaults.Messaging;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using OpenIddict.EntityFrameworkCore.Models;

namespace DocAIche.Identity.IntegrationEvents.EventHandling;

/// <summary>
/// Identity's part of an erasure: the user, their API keys and their tokens and authorizations are
/// deleted; clients they created stay (the tenant's, for an admin to delete) without naming them, and
/// stop working, as any client whose creator is gone does. The confirmation names the deleted API keys,
/// whose audit keys go too. Nothing happens unless the subject is a user of the request's tenant:
/// tokens and authorizations carry no tenant, so the user's membership is what scopes them.
/// </summary>
public sealed class PrivacyErasureRequestedConsumer(IdentityDbContext db, ILogger<PrivacyErasureRequestedConsumer> logger, TimeProvider time)
    : InboxConsumer<PrivacyErasureRequested, IdentityDbContext>(db, logger, time)
{
    protected override async Task HandleAsync(ConsumeContext<PrivacyErasureRequested> context, CancellationToken cancellationToken)
    {
        var requested = context.Message;
        var erased = new Dictionary<string, int>();
        var related = new List<string>();
        var user = PrivacyExportRequestedConsumer.UserId(requested.SubjectId) is { } id
            ? await Db.Users.AsNoTracking().Where(u => u.Id == id)
                .Select(u => new { u.Id, u.Email }).SingleOrDefaultAsync(cancellationToken)
            : null;
        if (user is not null)
        {
            var userId = user.Id;
            var keys = await Db.ApiKeys.Where(k => k.CreatedBy == userId).Select(k => k.Id).ToListAsync(cancellationToken);
            related.AddRange(keys.Select(k => $"apikey:{k}"));

            erased["apiKeys"] = await Db.ApiKeys.Where(k => k.CreatedBy == userId).ExecuteDeleteAsync(cancellationToken);
            erased["clientsCreated"] = await Db.MachineClients.Where(c => c.CreatedBy == userId)
                .ExecuteUpdateAsync(c => c.SetProperty(x => x.CreatedBy, Guid.Empty), cancellationToken);
            var subjects = related.Append(requested.SubjectId).ToList();
            erased["tokens"] = await Db.Set<OpenIddictEntityFrameworkCoreToken>().Where(t => t.Subject != null && subjects.Contains(t.Subject))
                .ExecuteDeleteAsync(cancellationToken);
            erased["authorizations"] = await Db.Set<OpenIddictEntityFrameworkCoreAuthorization>().Where(a => a.Subject != null && subjects.Contains(a.Subject))
                .ExecuteDeleteAsync(cancellationToken);
            var groups = await Db.ScimGroups.Where(g => g.Members.Contains(userId)).ToListAsync(cancellationToken);
            foreach (var group in groups)
            {
                group.Members = [.. group.Members.Where(m => m != userId)];
            }
            erased["groupMemberships"] = groups.Count;
            erased["users"] = await Db.Users.Where(u => u.Id == userId).ExecuteDeleteAsync(cancellationToken);
            erased["events"] = await Db.DeleteSentEventsAboutAsync(requested.TenantId,
                [requested.SubjectId, userId.ToString(), .. keys.Select(k => k.ToString()), user.Email], cancellationToken);
        }
        Db.AddIntegrationEvent(new PrivacyErasureConfirmed(requested.RequestId, requested.TenantId, PrivacyParticipants.Identity, erased, related, Time.GetUtcNow()), Time);
    }
}
