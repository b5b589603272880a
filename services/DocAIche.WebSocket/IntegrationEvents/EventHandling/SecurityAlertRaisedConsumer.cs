using DocAIche.Contracts.Audit;
using DocAIche.WebSocket.LiveUpdates;
using MassTransit;

namespace DocAIche.WebSocket.IntegrationEvents.EventHandling;

/// <summary>Shows security alerts to the tenant's clients subscribed to <c>alerts</c> (admins, owners and auditors only).</summary>
public sealed class SecurityAlertRaisedConsumer(LiveConnections connections) : IConsumer<SecurityAlertRaised>
{
    public Task Consume(ConsumeContext<SecurityAlertRaised> context)
    {
        var alert = context.Message;
        connections.Publish(alert.TenantId, jobId: null, Event((context.MessageId ?? Guid.NewGuid()).ToString(), alert), alert.RaisedAt);
        return Task.CompletedTask;
    }

    /// <summary>What subscribers receive of an alert.</summary>
    public static LiveEvent Event(string id, SecurityAlertRaised alert) => new(
        id, LiveTopics.Alerts, "security.alert",
        new { alert.AlertId, alert.Kind, alert.Subject, alert.Count, alert.Window, alert.Summary, alert.RaisedAt });
}
