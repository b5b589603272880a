using System.Text.Json;
using System.Text.Json.Serialization;

namespace DocAIche.ServiceDefaults.Quotas;

/// <summary>
/// What an operator lets one tenant hold and do. A missing limit is no limit. Identity keeps them
/// (its tenants table) and writes them to Redis, where the services that hold them read them.
/// </summary>
/// <param name="Libraries">Libraries the tenant may own.</param>
/// <param name="Documents">Documents stored across its libraries.</param>
/// <param name="StorageBytes">Bytes of documentation stored (the documents' Markdown, UTF-8).</param>
/// <param name="SearchesPerDay">Searches (REST, MCP and answers) per UTC day.</param>
/// <param name="LiveConnections">Live (WebSocket) connections open at once.</param>
public sealed record TenantQuotas(
    long? Libraries = null, long? Documents = null, long? StorageBytes = null, long? SearchesPerDay = null, long? LiveConnections = null)
{
    /// <summary>No limit at all: a tenant no operator has limited.</summary>
    public static readonly TenantQuotas None = new();

    /// <summary>Redis hash: tenant id → its quotas as JSON.</summary>
    public const string Key = "docaiche:quotas";

    /// <summary>Redis channel on which identity names a tenant whose quotas changed.</summary>
    public const string Channel = "docaiche:quotas";

    /// <summary>The share of a quota at which the tenant is warned (an alert), once per crossing.</summary>
    public const double AlertShare = 0.8;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static TenantQuotas? FromJson(string? json)
    {
        if (string.IsNullOrEmpty(json))
        {
            return null;
        }
        try
        {
            return JsonSerializer.Deserialize<TenantQuotas>(json, Json);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The usage at which the 80 % alert is due: the first whole number at or above 80 % of the limit.</summary>
    public static long AlertAt(long limit) => Math.Max(1, (long)Math.Ceiling(limit * AlertShare));

    /// <summary>Whether going from <paramref name="before"/> to <paramref name="after"/> crosses the alert share of <paramref name="limit"/>.</summary>
    public static bool CrossesAlert(long? limit, long before, long after) =>
        limit is { } l && before < AlertAt(l) && after >= AlertAt(l);
}

/// <summary>The quotas' names, as problems, alerts and the API say them.</summary>
public static class QuotaNames
{
    public const string Libraries = "libraries";
    public const string Documents = "documents";
    public const string Storage = "storage";
    public const string SearchesPerDay = "searchesPerDay";
    public const string LiveConnections = "liveConnections";

    public static readonly IReadOnlyList<string> All = [Libraries, Documents, Storage, SearchesPerDay, LiveConnections];
}
