using DocAIche.Console.Api;
using DocAIche.ServiceDefaults.Authentication;

namespace DocAIche.Console.Downloads;

/// <summary>
/// Files a page offers as a link (the browser downloads them itself, which a page's live connection
/// cannot do): the console fetches them from the API with the person's token and passes the stream on.
/// </summary>
public static class DownloadEndpoints
{
    /// <summary>The audit export's filters, passed on as they came; the API checks them.</summary>
    private static readonly string[] AuditExportFilters = ["format", "from", "to", "actor", "action", "targetType", "target", "outcome"];

    /// <summary>The reports a page links to, and the API paths behind them; their query is passed on (the API checks it).</summary>
    private static readonly Dictionary<string, string> Reports = new(StringComparer.Ordinal)
    {
        ["access-review"] = "api/v1/reports/access-review",
        ["compliance"] = "api/v1/reports/compliance",
        ["search-usage"] = "api/v1/usage/searches",
        ["usage"] = "api/v1/usage",
    };

    private static readonly string[] ReportParameters = ["format", "section", "days", "from", "to", "granularity", "groupBy"];

    public static IEndpointRouteBuilder MapConsoleDownloads(this IEndpointRouteBuilder app)
    {
        app.MapGet("/console/reports/{report}", (string report, HttpContext http, DocAIcheApi api) =>
            {
                if (!Reports.TryGetValue(report, out var path))
                {
                    return TypedResults.NotFound().ExecuteAsync(http);
                }
                var query = string.Join('&', ReportParameters
                    .Where(name => !string.IsNullOrEmpty(http.Request.Query[name]))
                    .Select(name => $"{name}={Uri.EscapeDataString(http.Request.Query[name].ToString())}"));
                return PassOnAsync(http, api, $"{path}?{query}");
            })
            .RequireAuthorization(policy => policy.RequireRole(DocAIcheRoles.Auditor, DocAIcheRoles.Admin, DocAIcheRoles.Owner));
        app.MapGet("/console/audit/export", ExportAuditAsync)
            .RequireAuthorization(policy => policy.RequireRole(DocAIcheRoles.Auditor, DocAIcheRoles.Admin, DocAIcheRoles.Owner));
        app.MapGet("/console/privacy/exports/{id:guid}/bundle", (Guid id, HttpContext http, DocAIcheApi api) =>
            PassOnAsync(http, api, $"api/v1/privacy/exports/{id}/bundle")).RequireAuthorization();
        return app;
    }

    private static async Task ExportAuditAsync(HttpContext http, DocAIcheApi api)
    {
        var query = string.Join('&', AuditExportFilters
            .Where(name => !string.IsNullOrEmpty(http.Request.Query[name]))
            .Select(name => $"{name}={Uri.EscapeDataString(http.Request.Query[name].ToString())}"));
        await PassOnAsync(http, api, $"api/v1/audit/records/export?{query}");
    }

    /// <summary>The API's answer streamed to the browser as it comes, or its problem.</summary>
    private static async Task PassOnAsync(HttpContext http, DocAIcheApi api, string path)
    {
        var (response, problem) = await api.DownloadAsync(path, http.User, http.RequestAborted);
        if (response is null)
        {
            await TypedResults.Problem(problem!.Explanation, statusCode: problem.Status is 0 ? 502 : problem.Status, title: problem.Title).ExecuteAsync(http);
            return;
        }
        using (response)
        {
            http.Response.ContentType = response.Content.Headers.ContentType?.ToString() ?? "application/octet-stream";
            if (response.Content.Headers.ContentDisposition is { } disposition)
            {
                http.Response.Headers.ContentDisposition = disposition.ToString();
            }
            await using var body = await response.Content.ReadAsStreamAsync(http.RequestAborted);
            await body.CopyToAsync(http.Response.Body, http.RequestAborted);
        }
    }
}
