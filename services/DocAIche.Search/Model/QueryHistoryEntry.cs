using DocAIche.ServiceDefaults.Data;
namespace DocAIche.Search.Model;

/// <summary>The operations metered in the query history.</summary>
public static class MeteredOperations
{
    public const string Search = "search";
    public const string Answer = "answer";
    public const string ResolveLibrary = "resolve_library";
    public const string GetDocument = "get_document";
    public const string ListLibraries = "list_libraries";
}

/// <summary>One search (or answer, or MCP tool call) someone ran: kept for the tenant's query-history retention, exported and erased with its subject.</summary>
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

    /// <summary>What was asked: a search, an answer, or another MCP tool (<see cref="MeteredOperations"/>).</summary>
    public string Operation { get; set; } = MeteredOperations.Search;

    public DateTimeOffset At { get; set; }
}

/// <summary>How long a tenant keeps query history and feedback, as the audit service last announced it.</summary>
public sealed class TenantRetention : ITenantOwned
{
    public required string TenantId { get; set; }

    public int QueryHistoryDays { get; set; }

    public DateTimeOffset ChangedAt { get; set; }
}
