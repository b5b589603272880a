namespace DocAIche.Contracts;

/// <summary>Tenant ids known before the identity service issues tokens.</summary>
public static class Tenants
{
    /// <summary>
    /// The tenant of every request until authentication lands (identity issue). It is a real tenant
    /// id in every table and event, so tenant filtering is already in place when tokens arrive.
    /// </summary>
    public const string Default = "default";
}
