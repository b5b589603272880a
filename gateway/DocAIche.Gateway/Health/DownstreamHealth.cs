using System.Diagnostics;
using System.Net.Http.Json;
using DocAIche.ServiceDefaults.Health;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Yarp.ReverseProxy.Configuration;

namespace DocAIche.Gateway.Health;

/// <summary>
/// The gateway's <c>/health</c>: asks each downstream service (every cluster the proxy routes to)
/// for its own readiness, in parallel and with a short deadline, and reports each one and overall.
/// </summary>
public sealed class DownstreamHealth(IHttpClientFactory clients, IProxyConfigProvider proxyConfig, HealthCheckService ownChecks)
{
    public const string ClientName = "downstream-health";
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    public async Task<HealthStatusDocument> CheckAsync(CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var clusters = proxyConfig.GetConfig().Clusters
            .Where(c => c.Destinations is { Count: > 0 })
            .ToList();
        var own = CheckSelfAsync(cancellationToken);
        var checks = await Task.WhenAll(clusters.Select(c => CheckClusterAsync(c, cancellationToken)).Append(own));
        var entries = checks.ToDictionary(c => c.Name, c => c.Entry);

        var overall = entries.Values.All(e => e.Status == "Healthy") ? "Healthy"
            : entries.Values.Any(e => e.Status == "Unhealthy") ? "Unhealthy" : "Degraded";
        return new HealthStatusDocument(overall, Math.Round(Stopwatch.GetElapsedTime(started).TotalMilliseconds, 1), entries);
    }

    // The gateway's own dependencies (Redis for the shared rate limits).
    private async Task<(string Name, HealthEntryDocument Entry)> CheckSelfAsync(CancellationToken cancellationToken)
    {
        var report = await ownChecks.CheckHealthAsync(cancellationToken);
        var unhealthy = report.Entries.Where(e => e.Value.Status != HealthStatus.Healthy).Select(e => e.Key).ToList();
        return ("gateway", new HealthEntryDocument(report.Status.ToString(),
            unhealthy.Count > 0 ? $"Not healthy: {string.Join(", ", unhealthy)}" : null,
            Math.Round(report.TotalDuration.TotalMilliseconds, 1)));
    }

    private async Task<(string Name, HealthEntryDocument Entry)> CheckClusterAsync(ClusterConfig cluster, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var address = cluster.Destinations!.Values.First().Address.TrimEnd('/');
        var client = clients.CreateClient(ClientName);
        try
        {
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(Timeout);
            using var response = await client.GetAsync($"{address}/health", deadline.Token);
            var report = await response.Content.ReadFromJsonAsync<HealthStatusDocument>(HealthReportWriter.JsonOptions, deadline.Token);
            var status = report?.Status ?? (response.IsSuccessStatusCode ? "Healthy" : "Unhealthy");
            var unhealthy = report?.Entries.Where(e => e.Value.Status != "Healthy").Select(e => e.Key).ToList() ?? [];
            return (cluster.ClusterId, new HealthEntryDocument(
                status,
                unhealthy.Count > 0 ? $"Not healthy: {string.Join(", ", unhealthy)}" : null,
                Elapsed(started)));
        }
        catch (Exception exception) when (exception is HttpRequestException or OperationCanceledException or System.Text.Json.JsonException)
        {
            return (cluster.ClusterId, new HealthEntryDocument("Unhealthy", "Not reachable", Elapsed(started)));
        }
    }

    private static double Elapsed(long started) => Math.Round(Stopwatch.GetElapsedTime(started).TotalMilliseconds, 1);
}

public static class DownstreamHealthApi
{
    public static IEndpointRouteBuilder MapDownstreamHealth(this IEndpointRouteBuilder app)
    {
        app.MapGet(ServiceDefaultsExtensions.HealthPath, async (DownstreamHealth health, CancellationToken cancellationToken) =>
            {
                var report = await health.CheckAsync(cancellationToken);
                return TypedResults.Json(report, HealthReportWriter.JsonOptions,
                    statusCode: report.Status == "Unhealthy" ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status200OK);
            })
            .WithName("GatewayHealth")
            .WithSummary("Readiness of every downstream service")
            .DisableHttpMetrics()
            .AllowAnonymous();
        return app;
    }
}
