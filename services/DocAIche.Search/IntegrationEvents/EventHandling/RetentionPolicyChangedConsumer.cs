using DocAIche.Contracts.Audit;
using DocAIche.Search.History;
using DocAIche.Search.Infrastructure;
using DocAIche.Search.Model;
using DocAIche.ServiceDefaults.Messaging;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace DocAIche.Search.IntegrationEvents.EventHandling;

/// <summary>Keeps the tenant's query-history retention and purges by it when asked to now.</summary>
public sealed class RetentionPolicyChangedConsumer(SearchDbContext db, ILogger<RetentionPolicyChangedConsumer> logger, TimeProvider time)
    : InboxConsumer<RetentionPolicyChanged, SearchDbContext>(db, logger, time)
{
    protected override async Task HandleAsync(ConsumeContext<RetentionPolicyChanged> context, CancellationToken cancellationToken)
    {
        var changed = context.Message;
        var retention = await Db.TenantRetention.FirstOrDefaultAsync(cancellationToken);
        if (retention is null)
        {
            retention = new TenantRetention { TenantId = changed.TenantId };
            Db.TenantRetention.Add(retention);
        }
        else if (retention.ChangedAt > changed.ChangedAt)
        {
            return;
        }
        retention.QueryHistoryDays = changed.QueryHistoryDays;
        retention.ChangedAt = changed.ChangedAt;
        if (changed.PurgeNow)
        {
            await QueryHistory.PurgeTenantAsync(Db, changed.TenantId, Time.GetUtcNow() - TimeSpan.FromDays(changed.QueryHistoryDays), cancellationToken);
        }
    }
}
