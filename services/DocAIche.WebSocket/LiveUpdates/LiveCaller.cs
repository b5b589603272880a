using System.Security.Claims;

namespace DocAIche.WebSocket.LiveUpdates;

/// <summary>
/// What a live connection needs to know about its client, taken from the token once at the upgrade:
/// the request's claims principal (with the whole JWT behind it, several KiB) is not kept for the
/// connection's lifetime.
/// </summary>
public sealed record LiveCaller(string TenantId, string Subject, bool ReadsDocumentation, bool SeesAlerts)
{
    public static LiveCaller From(ClaimsPrincipal user) => new(
        string.Intern(user.GetTenantId()),
        user.GetSubject(),
        LiveTopics.MaySubscribe(user, LiveTopics.Index),
        LiveTopics.MaySubscribe(user, LiveTopics.Alerts));

    public bool MaySubscribe(string topic) => topic switch
    {
        LiveTopics.Alerts => SeesAlerts,
        LiveTopics.Jobs or LiveTopics.Index => ReadsDocumentation,
        _ => false,
    };
}
