using System.Text.Json;
using DocAIche.Contracts.Privacy;
using DocAIche.Identity.Infrastructure;
using DocAIche.ServiceDefaults.Messaging;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace DocAIche.Identity.IntegrationEvents.EventHandling;

/// <summary>Identity's part of a privacy export: the profile, roles, API keys and clients the subject created.</summary>
public sealed class PrivacyExportRequestedConsumer(IdentityDbContext db, ILogger<PrivacyExportRequestedConsumer> logger, TimeProvider time)
    : InboxConsumer<PrivacyExportRequested, IdentityDbContext>(db, logger, time)
{
    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);

    protected override async Task HandleAsync(ConsumeContext<PrivacyExportRequested> context, CancellationToken cancellationToken)
    {
        var requested = context.Message;
        object data = new { user = (object?)null };
        if (UserId(requested.SubjectId) is { } userId)
        {
            var user = await Db.Users.AsNoTracking()
                .Where(u => u.Id == userId)
                .Select(u => new { u.Id, u.Email, u.DisplayName, u.Roles, u.Disabled, u.CreatedAt, u.LastSignInAt, u.LockedOutUntil, u.ExternalSubject, u.ExternalId })
                .FirstOrDefaultAsync(cancellationToken);
            var apiKeys = await Db.ApiKeys.AsNoTracking()
                .Where(k => k.CreatedBy == userId)
                .Select(k => new { k.Id, k.Name, k.Prefix, k.Roles, k.CreatedAt, k.ExpiresAt, k.RevokedAt, k.LastUsedAt })
                .ToListAsync(cancellationToken);
            var clients = await Db.MachineClients.AsNoTracking()
                .Where(c => c.CreatedBy == userId)
                .Select(c => new { c.ClientId, c.DisplayName, c.Roles, c.CreatedAt })
                .ToListAsync(cancellationToken);
            // The groups the tenant's identity provider put them in (SCIM).
            var groups = await Db.ScimGroups.AsNoTracking()
                .Where(g => g.Members.Contains(userId))
                .Select(g => new { g.Id, g.DisplayName, g.ExternalId })
                .ToListAsync(cancellationToken);
            data = new { user, apiKeys, clientsCreated = clients, groups };
        }
        Db.AddIntegrationEvent(new PrivacyExportContributed(requested.RequestId, requested.TenantId, requested.SubjectId, PrivacyParticipants.Identity,
            JsonSerializer.Serialize(data, JsonOptions), Time.GetUtcNow()), Time);
    }

    internal static Guid? UserId(string subject) =>
        subject.StartsWith("user:", StringComparison.Ordinal) && Guid.TryParse(subject.AsSpan(5), out var id) ? id : null;
}
