using DocAIche.ServiceDefaults.Data;
using DocAIche.Identity.Apis;
using DocAIche.Identity.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace DocAIche.Identity.Tokens;

/// <summary>
/// What an API key or a machine client may do at the moment it is exchanged for a token: the roles
/// it was given that its creator still holds. A key never outlives its creator's rights: demote the
/// creator and the key is demoted with them; disable or delete the creator and it gives nothing.
/// </summary>
public static class DelegatedRoles
{
    /// <summary>The roles to put in the token, or null when none is left (creator gone, disabled, elsewhere, or demoted below all of them).</summary>
    public static async Task<IReadOnlyList<string>?> EffectiveAsync(
        IdentityDbContext db, string tenantId, Guid creator, IEnumerable<string> granted, CancellationToken cancellationToken)
    {
        // Across tenants, then the key's own tenant by hand: a token exchange has no caller tenant yet.
        var creatorRoles = await db.Users.AsNoTracking().AcrossTenants()
            .Where(u => u.Id == creator && u.TenantId == tenantId && !u.Disabled)
            .Select(u => u.Roles)
            .SingleOrDefaultAsync(cancellationToken);
        if (creatorRoles is null)
        {
            return null;
        }
        return Intersect(granted, creatorRoles);
    }

    /// <summary>The granted roles that the creator's roles include; null when there are none.</summary>
    public static IReadOnlyList<string>? Intersect(IEnumerable<string> granted, IEnumerable<string> creatorRoles)
    {
        var held = creatorRoles.ToHashSet(StringComparer.Ordinal);
        var roles = granted.Distinct(StringComparer.Ordinal).Where(role => Caller.Includes(held, role)).ToList();
        return roles.Count == 0 ? null : roles;
    }
}
