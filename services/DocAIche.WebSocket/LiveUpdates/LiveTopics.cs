using System.Security.Claims;
using DocAIche.ServiceDefaults.Authentication;

namespace DocAIche.WebSocket.LiveUpdates;

/// <summary>What a client can subscribe to.</summary>
public static class LiveTopics
{
    /// <summary>Ingestion job progress and completion (optionally of one job).</summary>
    public const string Jobs = "jobs";

    /// <summary>Documents now searchable and libraries changed.</summary>
    public const string Index = "index";

    /// <summary>Security alerts: admins, owners and auditors only.</summary>
    public const string Alerts = "alerts";

    public static readonly IReadOnlySet<string> All = new HashSet<string>(StringComparer.Ordinal) { Jobs, Index, Alerts };

    /// <summary>Whether the caller may subscribe to the topic.</summary>
    public static bool MaySubscribe(ClaimsPrincipal user, string topic) => topic switch
    {
        // Auditors connect for alerts only; documentation events are for those who may read the documentation.
        Alerts => user.IsInRole(DocAIcheRoles.Admin) || user.IsInRole(DocAIcheRoles.Owner) || user.IsInRole(DocAIcheRoles.Auditor),
        Jobs or Index => user.IsInRole(DocAIcheRoles.Viewer) || user.IsInRole(DocAIcheRoles.Editor) ||
            user.IsInRole(DocAIcheRoles.Admin) || user.IsInRole(DocAIcheRoles.Owner),
        _ => false,
    };
}
