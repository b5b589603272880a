using DocAIche.Identity.Infrastructure;
using DocAIche.Identity.Model;
using DocAIche.ServiceDefaults.Authentication;
using DocAIche.ServiceDefaults.Data;
using Microsoft.EntityFrameworkCore;
using OpenIddict.Abstractions;
using StackExchange.Redis;

namespace DocAIche.Identity.Tokens;

/// <summary>
/// Stops at once everything a deprovisioned person holds: the account is disabled (no sign-in, no
/// refresh), their API keys are revoked, their refresh tokens and codes are revoked in the token
/// store, and the gateways are told to refuse the access tokens already issued to them, their keys
/// and the machine clients they created (<see cref="SubjectRevocations"/>).
/// </summary>
public sealed class AccessRevocation(IdentityDbContext db, IOpenIddictTokenManager tokens, IConnectionMultiplexer redis, TimeProvider time, ILogger<AccessRevocation> log)
{
    /// <summary>Disables the user and revokes their keys in the unit of work; returns the subjects to announce once it is saved.</summary>
    public async Task<IReadOnlyList<string>> DisableAsync(User user, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        user.Disabled = true;
        // Across tenants by hand: the user's own tenant, whoever acts (a SCIM token acts for it).
        var keys = await db.ApiKeys.AcrossTenants().Where(k => k.TenantId == user.TenantId && k.CreatedBy == user.Id).ToListAsync(cancellationToken);
        foreach (var key in keys.Where(k => k.RevokedAt is null))
        {
            key.RevokedAt = now;
        }
        var clients = await db.MachineClients.AcrossTenants().Where(c => c.TenantId == user.TenantId && c.CreatedBy == user.Id).Select(c => c.ClientId).ToListAsync(cancellationToken);
        return [$"user:{user.Id}", .. keys.Select(k => $"apikey:{k.Id}"), .. clients.Select(c => $"client:{c}")];
    }

    /// <summary>After the change is saved: revokes the stored tokens and tells every gateway.</summary>
    public async Task AnnounceAsync(IReadOnlyList<string> subjects, CancellationToken cancellationToken)
    {
        foreach (var subject in subjects.Where(s => s.StartsWith("user:", StringComparison.Ordinal)))
        {
            await tokens.RevokeBySubjectAsync(subject, cancellationToken);
        }
        var at = time.GetUtcNow().ToUnixTimeSeconds();
        try
        {
            var cache = redis.GetDatabase();
            await cache.HashSetAsync(SubjectRevocations.Key, [.. subjects.Select(s => new HashEntry(s, at))]);
            foreach (var subject in subjects)
            {
                await redis.GetSubscriber().PublishAsync(RedisChannel.Literal(SubjectRevocations.Channel), $"{subject} {at}");
            }
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            // The account is disabled and its refresh tokens revoked regardless; tokens already issued then end when they expire.
            log.LogError(e, "The gateways could not be told that {Count} subjects were revoked", subjects.Count);
        }
    }
}
