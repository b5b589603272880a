using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace DocAIche.ServiceDefaults.Health;

/// <summary>The JSON shape of every DocAIche health answer, a service's own and the gateway's aggregate.</summary>
public sealed record HealthStatusDocument(
    string Status,
    double DurationMs,
    IReadOnlyDictionary<string, HealthEntryDocument> Entries);

/// <summary>One check (or, at the gateway, one downstream service) in a health answer.</summary>
public sealed record HealthEntryDocument(string Status, string? Description, double DurationMs);

public static class HealthReportWriter
{
    public static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static HealthStatusDocument ToDocument(HealthReport report) => new(
        report.Status.ToString(),
        Math.Round(report.TotalDuration.TotalMilliseconds, 1),
        report.Entries.ToDictionary(
            entry => entry.Key,
            entry => new HealthEntryDocument(
                entry.Value.Status.ToString(),
                // Only the check's own description: exception texts may carry connection details.
                entry.Value.Description,
                Math.Round(entry.Value.Duration.TotalMilliseconds, 1))));

    public static Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json; charset=utf-8";
        return JsonSerializer.SerializeAsync(context.Response.Body, ToDocument(report), JsonOptions, context.RequestAborted);
    }
}
