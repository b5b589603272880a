using System.Security.Claims;
using DocAIche.ServiceDefaults.Authentication;

namespace DocAIche.Identity.Apis;

/// <summary>Who is calling, from the validated access token.</summary>
public sealed record Caller(string TenantId, string Subject, Guid? UserId, IReadOnlySet<string> Roles)
{
    public static Caller From(ClaimsPrincipal user)
    {
        var subject = user.GetSubject();
        Guid? userId = subject.StartsWith("user:", StringComparison.Ordinal) && Guid.TryParse(subject["user:".Length..], out var id) ? id : null;
        return new Caller(user.GetTenantId(), subject, userId,
            user.FindAll(DocAIcheClaims.Role).Select(c => c.Value).ToHashSet());
    }

    public bool IsOwner => Roles.Contains(DocAIcheRoles.Owner);

    public bool IsAdmin => IsOwner || Roles.Contains(DocAIcheRoles.Admin);

    /// <summary>Whether the caller has the role or one that includes it (owner > admin > editor > viewer; admins include auditor).</summary>
    public bool Holds(string role) => Includes(Roles, role);

    /// <summary>Whether <paramref name="held"/> has <paramref name="role"/> or one that includes it.</summary>
    public static bool Includes(IReadOnlySet<string> held, string role)
    {
        var isOwner = held.Contains(DocAIcheRoles.Owner);
        var isAdmin = isOwner || held.Contains(DocAIcheRoles.Admin);
        return role switch
        {
            DocAIcheRoles.Owner => isOwner,
            DocAIcheRoles.Admin or DocAIcheRoles.Auditor => isAdmin || held.Contains(role),
            DocAIcheRoles.Editor => isAdmin || held.Contains(role),
            DocAIcheRoles.Viewer => isAdmin || held.Contains(DocAIcheRoles.Editor) || held.Contains(role),
            _ => false,
        };
    }

    /// <summary>Roles this caller may hand out: admins any tenant role but owner, owners all of them.</summary>
    public bool MayGrant(IEnumerable<string> roles) =>
        roles.All(role => DocAIcheRoles.IsTenantRole(role) && (IsOwner || (IsAdmin && role != DocAIcheRoles.Owner)));
}

internal static class Validation
{
    public static Dictionary<string, string[]> Errors() => [];

    public static IReadOnlyList<string> CleanRoles(IEnumerable<string>? roles) =>
        (roles ?? []).Select(r => r.Trim().ToLowerInvariant()).Where(r => r.Length > 0).Distinct().ToList();

    /// <summary>One or more tenant roles, and nothing else.</summary>
    public static void RequireTenantRoles(IReadOnlyList<string> roles, Dictionary<string, string[]> errors)
    {
        if (roles.Count == 0 || roles.Any(r => !DocAIcheRoles.IsTenantRole(r)))
        {
            errors["roles"] = [$"Give one or more of: {string.Join(", ", DocAIcheRoles.TenantRoles)}."];
        }
    }
}
