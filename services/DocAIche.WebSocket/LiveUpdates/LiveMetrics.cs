using System.Diagnostics.Metrics;

namespace DocAIche.WebSocket.LiveUpdates;

/// <summary>
/// What an operator watches on a websocket instance (exported with the service's other metrics):
/// connections held, events delivered, clients cut off for falling behind, handshakes refused by status.
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
        connections.Delivered += count => delivered.Add(count);
        connections.SlowClientCut += () => slowClients.Add(1);
    }

    public void Refused(int status) => refused.Add(1, new KeyValuePair<string, object?>("http.response.status_code", status));
}
