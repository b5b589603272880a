using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using DocAIche.ServiceDefaults.Http;
using Yarp.ReverseProxy.Configuration;

namespace DocAIche.Gateway.Usage;

/// <summary>One tenant's (or, in total, the range's) usage of everything: searches and MCP, ingestion, storage, live connections.</summary>
public sealed record UsageSummaryRow(
    string? Tenant, DateOnly? Day,
    long Searches, long Answers, long McpToolCalls, long ZeroResultSearches, long ResultsServed, long TokensServed,
    double? P50Milliseconds, double? P95Milliseconds, double? FeedbackRate,
    long IngestionJobs, long FailedJobs, long PagesFetched, long PagesFailed, long DocumentsChanged,
    long? Documents, long? Chunks, long? StorageBytes, long PeakLiveConnections);

public sealed record UsageSummary(string Granularity, IReadOnlyList<string> Unavailable, IReadOnlyList<UsageSummaryRow> Rows);

/// <summary>
/// <c>GET /api/v1/usage</c>: the usage each service reports about itself (search: searches, answers,
/// MCP tool calls; documents: ingestion and storage; websocket: live connections), asked with the
/// caller's own credentials and the same range, merged by tenant and day. Each service authorises and
/// validates; its refusal (400, 401, 403) is the answer. A service that cannot answer is named in
/// <c>unavailable</c> and its columns stay empty, so one outage does not hide the rest.
/// </summary>
public sealed class UsageSummaryReader(IHttpClientFactory clients, IProxyConfigProvider proxyConfig)
{
    public const string ClientName = "usage-summary";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    private static readonly (string Part, string Cluster, string Path)[] Parts =
    [
        ("searches", "search", "/api/v1/usage/searches"),
        ("ingestion", "documents", "/api/v1/usage/ingestion"),
        ("content", "documents", "/api/v1/usage/content"),
        ("live", "websocket", "/api/v1/usage/live"),
    ];

    public async Task<IResult> ReadAsync(HttpContext http, CancellationToken cancellationToken)
    {
        var query = QueryOf(http.Request.Query);
        var answers = await Task.WhenAll(Parts.Select(p => AskAsync(p.Part, p.Cluster, p.Path + query, http.Request.Headers.Authorization.ToString(), cancellationToken)));
        if (answers.FirstOrDefault(a => a.Refusal is not null) is { Refusal: { } refusal })
        {
            return refusal;
        }
        var unavailable = answers.Where(a => a.Rows is null).Select(a => a.Part).ToList();
        var granularity = http.Request.Query["granularity"].FirstOrDefault() ?? "day";
        var rows = Merge(answers.Where(a => a.Rows is not null).ToDictionary(a => a.Part, a => a.Rows!), granularity == "total");
        var summary = new UsageSummary(granularity, unavailable, rows);
        return http.Request.Query["format"].FirstOrDefault() == "csv" ? ReportFormat.Csv(CsvOf(summary)) : TypedResults.Ok(summary);
    }

    /// <summary>The caller's range, granularity, format and tenant, passed on; the breakdowns are always ungrouped.</summary>
    private static string QueryOf(IQueryCollection query)
    {
        var passed = new[] { "from", "to", "granularity", "tenant" }
            .Where(name => query.ContainsKey(name))
            .Select(name => $"{name}={Uri.EscapeDataString(query[name].ToString())}");
        return "?" + string.Join('&', passed.Append("format=json"));
    }

    private async Task<(string Part, List<JsonElement>? Rows, IResult? Refusal)> AskAsync(
        string part, string clusterId, string pathAndQuery, string authorization, CancellationToken cancellationToken)
    {
        var cluster = proxyConfig.GetConfig().Clusters.FirstOrDefault(c => c.ClusterId == clusterId);
        var address = cluster?.Destinations?.Values.FirstOrDefault()?.Address.TrimEnd('/');
        if (address is null)
        {
            return (part, null, null);
        }
        try
        {
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(Timeout);
            using var request = new HttpRequestMessage(HttpMethod.Get, address + pathAndQuery);
            if (AuthenticationHeaderValue.TryParse(authorization, out var credentials))
            {
                request.Headers.Authorization = credentials;
            }
            using var response = await clients.CreateClient(ClientName).SendAsync(request, deadline.Token);
            var body = await response.Content.ReadAsStringAsync(deadline.Token);
            if ((int)response.StatusCode is 400 or 401 or 403)
            {
                return (part, null, Results.Content(body, response.Content.Headers.ContentType?.ToString() ?? "application/problem+json", Encoding.UTF8, (int)response.StatusCode));
            }
            if (!response.IsSuccessStatusCode)
            {
                return (part, null, null);
            }
            using var document = JsonDocument.Parse(body);
            return (part, [.. document.RootElement.GetProperty("rows").EnumerateArray().Select(r => r.Clone())], null);
        }
        catch (Exception exception) when (exception is HttpRequestException or OperationCanceledException or JsonException or KeyNotFoundException
                                          && !cancellationToken.IsCancellationRequested)
        {
            return (part, null, null);
        }
    }

    private static List<UsageSummaryRow> Merge(Dictionary<string, List<JsonElement>> parts, bool total)
    {
        var keys = parts.Values.SelectMany(rows => rows).Select(r => Key(r, total)).Distinct().OrderBy(k => k.Tenant, StringComparer.Ordinal).ThenBy(k => k.Day).ToList();
        JsonElement? Find(string part, (string? Tenant, DateOnly? Day) key) =>
            parts.TryGetValue(part, out var rows) && rows.FirstOrDefault(r => Key(r, total) == key) is { ValueKind: JsonValueKind.Object } row ? row : null;
        return [.. keys.Select(key =>
        {
            var searches = Find("searches", key);
            var ingestion = Find("ingestion", key);
            var content = Find("content", key);
            var live = Find("live", key);
            return new UsageSummaryRow(key.Tenant, key.Day,
                Long(searches, "searches"), Long(searches, "answers"), Long(searches, "mcpToolCalls"), Long(searches, "zeroResultSearches"),
                Long(searches, "results"), Long(searches, "tokensServed"),
                Double(searches, "p50Milliseconds"), Double(searches, "p95Milliseconds"), Double(searches, "feedbackRate"),
                Long(ingestion, "jobs"), Long(ingestion, "failedJobs"), Long(ingestion, "pagesFetched"), Long(ingestion, "pagesFailed"), Long(ingestion, "documentsChanged"),
                content is null ? null : Long(content, "documents"), content is null ? null : Long(content, "chunks"), content is null ? null : Long(content, "storageBytes"),
                Long(live, "peakConnections"));
        })];
    }

    /// <summary>Rows meet on tenant and day. In total, storage is given at the range's last day, so totals meet on the tenant alone.</summary>
    private static (string? Tenant, DateOnly? Day) Key(JsonElement row, bool total)
    {
        var tenant = row.TryGetProperty("tenant", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
        return total || !row.TryGetProperty("day", out var day) || day.ValueKind != JsonValueKind.String
            ? (tenant, null)
            : (tenant, DateOnly.Parse(day.GetString()!, CultureInfo.InvariantCulture));
    }

    private static long Long(JsonElement? row, string name) =>
        row is { } r && r.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetInt64() : 0;

    private static double? Double(JsonElement? row, string name) =>
        row is { } r && r.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetDouble() : null;

    private static string CsvOf(UsageSummary summary)
    {
        static string N(long? value) => value?.ToString(CultureInfo.InvariantCulture) ?? "";
        var csv = new StringBuilder();
        csv.AppendLine(Csv.Line("tenant", "day", "searches", "answers", "mcp_tool_calls", "zero_result_searches", "results_served", "tokens_served",
            "p50_ms", "p95_ms", "feedback_rate", "ingestion_jobs", "failed_jobs", "pages_fetched", "pages_failed", "documents_changed",
            "documents", "chunks", "storage_bytes", "peak_live_connections"));
        foreach (var r in summary.Rows)
        {
            csv.AppendLine(Csv.Line(r.Tenant, r.Day?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                N(r.Searches), N(r.Answers), N(r.McpToolCalls), N(r.ZeroResultSearches), N(r.ResultsServed), N(r.TokensServed),
                Csv.Number(r.P50Milliseconds), Csv.Number(r.P95Milliseconds), Csv.Number(r.FeedbackRate),
                N(r.IngestionJobs), N(r.FailedJobs), N(r.PagesFetched), N(r.PagesFailed), N(r.DocumentsChanged),
                N(r.Documents), N(r.Chunks), N(r.StorageBytes), N(r.PeakLiveConnections)));
        }
        return csv.ToString();
    }
}

public static class UsageSummaryApi
{
    public static IEndpointRouteBuilder MapUsageSummary(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/usage", (HttpContext http, UsageSummaryReader reader, CancellationToken cancellationToken) => reader.ReadAsync(http, cancellationToken))
            .WithName("GetUsage")
            .WithSummary("Every kind of usage by tenant and day (or in total): searches, answers and MCP tool calls, ingestion, storage, live connections; JSON or CSV")
            .AllowAnonymous();
        return app;
    }
}
