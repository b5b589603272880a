using DocAIche.ServiceDefaults.Data;
namespace DocAIche.Search.Model;

/// <summary>One search someone ran: kept for the tenant's query-history retention, exported and erased with its subject.</summary>
public sealed class QueryHistoryEntry : ITenantOwned
{
    public long Id { get; set; }

    public required string TenantId { get; set; }

    /// <summary>Who searched (<c>user:{id}</c>, <c>apikey:{id}</c>, <c>client:{id}</c>).</summary>
    public required string Subject { get; set; }

    public required string Query { get; set; }

    public string? Library { get; set; }

    public string? Version { get; set; }

    public int Results { get; set; }

    /// <summary>Estimated tokens of the text served.</summary>
    public int Tokens { get; set; }

    /// <summary>How long the search took in the service, milliseconds.</summary>
    public float Milliseconds { get; set; }

    /// <summary><c>api</c> or <c>mcp</c>.</summary>
    public required string Channel { get; set; }

    public DateTimeOffset At { get; set; }
}

/// <summary>How long a tenant keeps query history and feedback, as the audit service last announced it.</summary>
public sealed class TenantRetention : ITenantOwned
{
    public required string TenantId { get; set; }

    public int QueryHistoryDays { get; set; }

    public DateTimeOffset ChangedAt { get; set; }
}
