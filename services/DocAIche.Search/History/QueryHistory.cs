using DocAIche.ServiceDefaults.Data;
using System.Security.Claims;
using System.Threading.Channels;
using DocAIche.Search.Infrastructure;
using DocAIche.Search.Model;
using DocAIche.Search.Searching;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace DocAIche.Search.History;

/// <summary>
/// Keeps who searched for what, written in batches off the request path: a search never waits for
/// its history. Old entries (and feedback) go by the tenant's query-history retention.
/// </summary>
public sealed partial class QueryHistory(
    IServiceScopeFactory scopes, IOptions<QueryHistoryOptions> options, TimeProvider time, ILogger<QueryHistory> logger) : BackgroundService
{
    private readonly Channel<QueryHistoryEntry> pending = Channel.CreateBounded<QueryHistoryEntry>(new BoundedChannelOptions(options.Value.QueueLength)
    {
        SingleReader = true,
        FullMode = BoundedChannelFullMode.DropWrite,
    });

    /// <summary>Notes a search (or an answer built on one) that answered (metering for usage reports too); never blocks.</summary>
    public void Record(ClaimsPrincipal user, SearchResponse response, string channel, TimeSpan took, string operation = MeteredOperations.Search) =>
        RecordCall(user, operation, channel, response.Query, response.Library, response.Version, response.Results.Count, response.Tokens, took);

    /// <summary>Notes any metered call: what it asked (a query, a library name, a document id), what it served; never blocks.</summary>
    public void RecordCall(
        ClaimsPrincipal user, string operation, string channel, string query, string? library, string? version, int results, int tokens, TimeSpan took)
    {
        if (!options.Value.Enabled)
        {
            return;
        }
        pending.Writer.TryWrite(new QueryHistoryEntry
        {
            TenantId = user.GetTenantId(),
            Subject = user.GetSubject(),
            Query = query.Length > 500 ? query[..500] : query,
            Library = library,
            Version = version,
            Results = results,
            Tokens = tokens,
            Milliseconds = (float)took.TotalMilliseconds,
            Channel = channel,
            Operation = operation,
            At = time.GetUtcNow(),
        });
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var nextPurge = time.GetUtcNow();
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                using var wait = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                wait.CancelAfter(TimeSpan.FromMinutes(1));
                try
                {
                    if (await pending.Reader.WaitToReadAsync(wait.Token) && pending.Reader.Count < BatchSize)
                    {
                        // The first search of a batch waits for others: one insert for many.
                        await Task.Delay(options.Value.FlushInterval, time, wait.Token);
                    }
                }
                catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
                {
                }
                while (await WriteAsync(stoppingToken) == BatchSize)
                {
                }
                if (time.GetUtcNow() >= nextPurge)
                {
                    await using var scope = scopes.CreateAsyncScope();
                    await PurgeAsync(scope.ServiceProvider.GetRequiredService<SearchDbContext>(), null, stoppingToken);
                    nextPurge = time.GetUtcNow() + options.Value.PurgeInterval;
                }
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                LogFailed(logger, exception);
                await Task.Delay(TimeSpan.FromSeconds(5), time, stoppingToken);
            }
        }
    }

    /// <summary>Writes up to one batch of what waits; returns how many it wrote.</summary>
    private async Task<int> WriteAsync(CancellationToken cancellationToken)
    {
        var batch = new List<QueryHistoryEntry>();
        while (batch.Count < BatchSize && pending.Reader.TryRead(out var entry))
        {
            batch.Add(entry);
        }
        if (batch.Count == 0)
        {
            return 0;
        }
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SearchDbContext>();
        db.QueryHistory.AddRange(batch);
        await db.SaveChangesAsync(cancellationToken);
        return batch.Count;
    }

    private const int BatchSize = 500;

    /// <summary>Deletes query history and feedback older than each tenant's retention (of one tenant, when given).</summary>
    public async Task<int> PurgeAsync(SearchDbContext db, string? tenantId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        // Across tenants: the purge visits every tenant's history (or the one given), each by its own retention.
        var policies = await db.TenantRetention.AsNoTracking().AcrossTenants()
            .Where(r => tenantId == null || r.TenantId == tenantId)
            .ToDictionaryAsync(r => r.TenantId, r => r.QueryHistoryDays, cancellationToken);
        var deleted = 0;
        foreach (var (tenant, days) in policies)
        {
            deleted += await PurgeTenantAsync(db, tenant, now - TimeSpan.FromDays(days), cancellationToken);
        }
        if (tenantId is null)
        {
            // Tenants that never chose keep the default.
            var known = policies.Keys.ToList();
            var defaultCutoff = now - TimeSpan.FromDays(options.Value.DefaultDays);
            deleted += await db.QueryHistory.AcrossTenants().Where(e => !known.Contains(e.TenantId) && e.At < defaultCutoff).ExecuteDeleteAsync(cancellationToken);
            deleted += await db.Feedback.AcrossTenants().Where(f => !known.Contains(f.TenantId) && f.CreatedAt < defaultCutoff).ExecuteDeleteAsync(cancellationToken);
        }
        return deleted;
    }

    /// <summary>Deletes one tenant's query history and feedback from before <paramref name="cutoff"/> (named here, so the round over every tenant can call it).</summary>
    public static async Task<int> PurgeTenantAsync(SearchDbContext db, string tenantId, DateTimeOffset cutoff, CancellationToken cancellationToken) =>
        await db.QueryHistory.AcrossTenants().Where(e => e.TenantId == tenantId && e.At < cutoff).ExecuteDeleteAsync(cancellationToken) +
        await db.Feedback.AcrossTenants().Where(f => f.TenantId == tenantId && f.CreatedAt < cutoff).ExecuteDeleteAsync(cancellationToken);

    [LoggerMessage(Level = LogLevel.Error, Message = "Writing or purging query history failed; trying again")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
