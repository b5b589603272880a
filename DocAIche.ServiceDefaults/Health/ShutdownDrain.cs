using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;

namespace DocAIche.ServiceDefaults.Health;

/// <summary>
/// Graceful shutdown's first step. On SIGTERM an instance keeps serving for <c>Shutdown:DrainDelay</c>
/// (4 s by default) while its <c>/alive</c> and <c>/health</c> say it is stopping, so whatever spreads
/// requests over instances (the gateway's health checks, HAProxy, a Kubernetes Service) stops sending
/// it new ones; only then does the host stop accepting connections and finish the requests and jobs in
/// flight. Without the pause, requests sent in the moment before the others notice are refused.
/// </summary>
public sealed class ShutdownDrain : IHealthCheck
{
    public const string DrainDelayKey = "Shutdown:DrainDelay";
    private static readonly TimeSpan DefaultDelay = TimeSpan.FromSeconds(4);

    private volatile bool _draining;

    public bool Draining => _draining;

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(_draining ? HealthCheckResult.Unhealthy("Stopping: finishing what is in flight.") : HealthCheckResult.Healthy());

    /// <summary>The pause configured, between 0 (none) and a minute.</summary>
    public static TimeSpan Delay(IConfiguration configuration)
    {
        var configured = configuration.GetValue<TimeSpan?>(DrainDelayKey) ?? DefaultDelay;
        return configured < TimeSpan.Zero || configured > TimeSpan.FromMinutes(1)
            ? throw new InvalidOperationException($"{DrainDelayKey} is {configured}; give a time from 00:00:00 to 00:01:00.")
            : configured;
    }

    /// <summary>Starts draining when the host is asked to stop, and holds the stop back for the delay.</summary>
    public static void Register(WebApplication app)
    {
        var drain = app.Services.GetRequiredService<ShutdownDrain>();
        var delay = Delay(app.Configuration);
        // ApplicationStopping's callbacks run before the server and the hosted services are stopped.
        app.Lifetime.ApplicationStopping.Register(() =>
        {
            drain._draining = true;
            Thread.Sleep(delay);
        });
    }
}
