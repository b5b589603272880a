using DocAIche.ServiceDefaults.Auditing;
using System.Diagnostics;
using DocAIche.ServiceDefaults.Health;
using DocAIche.ServiceDefaults.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// The defaults every DocAIche process shares: telemetry, health, resilience, service discovery
/// and problem details. Each service switches them on with <see cref="AddServiceDefaults"/> and
/// <see cref="MapDefaultEndpoints"/>.
/// </summary>
public static class ServiceDefaultsExtensions
{
    public const string HealthPath = "/health";
    public const string AlivePath = "/alive";
    private const string LiveTag = "live";

    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.ConfigureOpenTelemetry();
        builder.AddLogRedaction();
        builder.AddDefaultHealthChecks();

        // No "Server: Kestrel" on any answer: it tells an attacker what to aim at and nobody else anything.
        builder.Services.Configure<Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions>(kestrel => kestrel.AddServerHeader = false);

        builder.Services.AddServiceDiscovery();
        builder.Services.ConfigureHttpClientDefaults(http =>
        {
            http.AddStandardResilienceHandler();
            http.AddServiceDiscovery();
        });

        // No servers list: the document is read through the gateway, whose address the service cannot know.
        builder.Services.AddOpenApi(options => options.AddDocumentTransformer((document, _, _) =>
        {
            document.Servers = [];
            return Task.CompletedTask;
        }).AddReadsOnlyExtension());

        builder.Services.AddProblemDetails(options => options.CustomizeProblemDetails = context =>
            context.ProblemDetails.Extensions["traceId"] = Activity.Current?.TraceId.ToString() ?? context.HttpContext.TraceIdentifier);
        // Malformed requests get a 400 problem details in every environment instead of an exception page.
        builder.Services.Configure<Microsoft.AspNetCore.Routing.RouteHandlerOptions>(options => options.ThrowOnBadRequest = false);
        // Only loopback proxies (the gateway beside the service) are trusted by default; add networks under ForwardedHeaders:KnownNetworks.
        builder.Services.Configure<Microsoft.AspNetCore.Builder.ForwardedHeadersOptions>(options =>
        {
            options.ForwardedHeaders = Microsoft.AspNetCore.HttpOverrides.ForwardedHeaders.XForwardedFor | Microsoft.AspNetCore.HttpOverrides.ForwardedHeaders.XForwardedProto;
            foreach (var network in builder.Configuration.GetSection("ForwardedHeaders:KnownNetworks").GetChildren().Select(child => child.Value).OfType<string>())
            {
                options.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(network));
            }
        });

        return builder;
    }

    public static TBuilder ConfigureOpenTelemetry<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.IncludeFormattedMessage = true;
            logging.IncludeScopes = true;
            // Before the exporter: nothing personal leaves the process in clear.
            logging.AddProcessor(new DocAIche.ServiceDefaults.Logging.ScrubbingLogProcessor());
        });
        // The resilience pipeline logs every successful attempt at Information (twice a second from the
        // telemetry exporter alone); retries and failures are warnings and still show.
        builder.Logging.AddFilter("Polly", LogLevel.Warning);

        builder.Services.AddOpenTelemetry()
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddMeter("MassTransit")
                // A service's own instruments are on a meter named after it.
                .AddMeter(builder.Environment.ApplicationName)
                // Scraped at /metrics by Prometheus (the SLO rules and dashboard read these).
                .AddPrometheusExporter())
            .WithTracing(tracing => tracing
                .AddSource(builder.Environment.ApplicationName)
                .AddSource("MassTransit")
                .AddAspNetCoreInstrumentation(options =>
                    // Probes would drown the traces that matter.
                    options.Filter = context =>
                        !context.Request.Path.StartsWithSegments(HealthPath) &&
                        !context.Request.Path.StartsWithSegments(AlivePath) &&
                        !context.Request.Path.StartsWithSegments(MetricsPath))
                .AddHttpClientInstrumentation());

        if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            builder.Services.AddOpenTelemetry().UseOtlpExporter();
        }

        return builder;
    }

    public static TBuilder AddDefaultHealthChecks<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddSingleton<ShutdownDrain>();
        builder.Services.AddHealthChecks()
            .AddCheck("self", () => HealthCheckResult.Healthy(), [LiveTag])
            .AddCheck<ShutdownDrain>("draining", tags: [LiveTag]);
        return builder;
    }

    /// <summary>
    /// Problem details for every error, the service's OpenAPI document at <c>/openapi/v1.json</c>,
    /// <c>/health</c> (readiness: every registered check, dependencies included, as JSON) and
    /// <c>/alive</c> (liveness: the process answers). Health answers are anonymous and served in
    /// every environment because the orchestrator probes them.
    /// </summary>
    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        // The gateway (on loopback, or a configured proxy network) says who the caller is; audit records and limits use it.
        app.UseForwardedHeaders();
        app.UseDefaultErrorHandling();
        app.UseNulCharacterRefusal();
        app.MapOpenApi().AllowAnonymous();
        app.MapHealthChecks(HealthPath, new HealthCheckOptions { ResponseWriter = HealthReportWriter.WriteAsync })
            .DisableHttpMetrics()
            .AllowAnonymous();
        app.MapAliveEndpoint();
        app.MapMetricsEndpoint();
        return app;
    }

    public const string MetricsPath = "/metrics";

    /// <summary>
    /// The Prometheus scrape endpoint, for scrapers inside the cluster only: a request that came
    /// through a proxy (the ingress in front of the gateway always adds <c>X-Forwarded-For</c>) gets
    /// a 404, so the gateway's own metrics are never served to the internet.
    /// </summary>
    public static WebApplication MapMetricsEndpoint(this WebApplication app)
    {
        app.UseWhen(
            context => context.Request.Path.StartsWithSegments(MetricsPath) &&
                (context.Request.Headers.ContainsKey("X-Forwarded-For") || context.Request.Headers.ContainsKey("X-Original-For") || context.Request.Headers.ContainsKey("Forwarded")),
            branch => branch.Run(context =>
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return Task.CompletedTask;
            }));
        app.MapPrometheusScrapingEndpoint(MetricsPath).DisableHttpMetrics().AllowAnonymous();
        return app;
    }

    /// <summary>Turns unhandled exceptions and bare error status codes into problem details.</summary>
    public static WebApplication UseDefaultErrorHandling(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        return app;
    }

    /// <summary><c>/alive</c>, which also says when the instance is draining before it stops (<see cref="ShutdownDrain"/>).</summary>
    public static WebApplication MapAliveEndpoint(this WebApplication app)
    {
        ShutdownDrain.Register(app);
        app.MapHealthChecks(AlivePath, new HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains(LiveTag),
            ResponseWriter = HealthReportWriter.WriteAsync,
        }).DisableHttpMetrics().AllowAnonymous();

        return app;
    }
}
