using System.Diagnostics.Metrics;

namespace DocAIche.WebSocket.LiveUpdates;

/// <summary>
/// What an operator watches on a websocket instance (exported with the service's other metrics):
/// connections held, events delivered and how long after they happened (the live-update SLI),
/// clients cut off for falling behind, handshakes refused by status.
/// </summary>
public sealed class LiveMetrics
{
    public const string MeterName = "DocAIche.WebSocket";

    private readonly Counter<long> delivered;
    private readonly Counter<long> slowClients;
    private readonly Counter<long> refused;

    public LiveMetrics(IMeterFactory meters, LiveConnections connections)
    {
        var meter = meters.Create(MeterName);
        meter.CreateObservableUpDownCounter("docaiche.live.connections", () => connections.Count, "{connection}", "Live connections held by this instance");
        delivered = meter.CreateCounter<long>("docaiche.live.deliveries", "{message}", "Events queued to subscribed clients");
        slowClients = meter.CreateCounter<long>("docaiche.live.slow_clients", "{connection}", "Clients disconnected because they fell behind");
        refused = meter.CreateCounter<long>("docaiche.live.refused", "{connection}", "Opening handshakes refused, by HTTP status");
        var lag = meter.CreateHistogram<double>("docaiche.live.delivery.lag", "s",
            "Seconds from an event happening in its service to its subscribers' send queues", tags: null,
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] });
        connections.Delivered += count => delivered.Add(count);
        connections.DeliveredAfter += after => lag.Record(Math.Max(0, after.TotalSeconds));
        connections.SlowClientCut += () => slowClients.Add(1);
    }

    public void Refused(int status) => refused.Add(1, new KeyValuePair<string, object?>("http.response.status_code", status));
}
