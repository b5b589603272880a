using DocAIche.Documents.Infrastructure;
using DocAIche.Documents.Model;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace DocAIche.Documents.Usage;

/// <summary>
/// Counts what every tenant stores (documents, chunks, bytes of Markdown) into the day's row of
/// <c>storage_usage</c>, at start and every hour, so usage reports show storage day by day (a day's
/// row holds its last count). Reports count today afresh (<see cref="CountNowAsync"/>).
/// </summary>
public sealed partial class StorageUsageCounter(IServiceScopeFactory scopes, TimeProvider time, ILogger<StorageUsageCounter> logger) : BackgroundService
{
    private static readonly TimeSpan Every = TimeSpan.FromHours(1);

    // Every tenant that stores anything; @tenant (when not null) narrows it to one.
    private const string Counts = """
        SELECT d."TenantId", d."Documents", coalesce(c."Chunks", 0) AS "Chunks", d."Bytes"
        FROM (SELECT "TenantId", count(*) AS "Documents", coalesce(sum(octet_length("Content")), 0)::bigint AS "Bytes"
              FROM documents WHERE @tenant::text IS NULL OR "TenantId" = @tenant GROUP BY 1) AS d
        LEFT JOIN (SELECT "TenantId", count(*) AS "Chunks" FROM chunks WHERE @tenant::text IS NULL OR "TenantId" = @tenant GROUP BY 1) AS c
          ON c."TenantId" = d."TenantId"
        """;

    private sealed class Count
    {
        public string TenantId { get; set; } = "";
        public long Documents { get; set; }
        public long Chunks { get; set; }
        public long Bytes { get; set; }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Every, time);
        do
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                await WriteAsync(scope.ServiceProvider.GetRequiredService<DocumentsDbContext>(), time.GetUtcNow(), stoppingToken);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                LogFailed(logger, exception);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>What the tenant (null: every tenant) stores now, as today's rows (not written).</summary>
    public static async Task<List<StorageUsage>> CountNowAsync(DocumentsDbContext db, string? tenantId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var counts = await db.Database.SqlQueryRaw<Count>(Counts, new NpgsqlParameter("tenant", NpgsqlTypes.NpgsqlDbType.Text) { Value = (object?)tenantId ?? DBNull.Value })
            .ToListAsync(cancellationToken);
        var day = DateOnly.FromDateTime(now.UtcDateTime);
        return [.. counts.Select(c => new StorageUsage { TenantId = c.TenantId, Day = day, Documents = c.Documents, Chunks = c.Chunks, Bytes = c.Bytes, CountedAt = now })];
    }

    /// <summary>Writes today's counts for every tenant that stores anything, and zero for one that stored something yesterday and nothing now.</summary>
    public static Task<int> WriteAsync(DocumentsDbContext db, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var day = DateOnly.FromDateTime(now.UtcDateTime);
        return db.Database.ExecuteSqlRawAsync($"""
            INSERT INTO storage_usage ("TenantId", "Day", "Documents", "Chunks", "Bytes", "CountedAt")
            SELECT t."TenantId", @day, coalesce(n."Documents", 0), coalesce(n."Chunks", 0), coalesce(n."Bytes", 0), @now
            FROM (SELECT "TenantId" FROM documents UNION SELECT "TenantId" FROM storage_usage WHERE "Day" = @yesterday) AS t
            LEFT JOIN ({Counts}) AS n ON n."TenantId" = t."TenantId"
            ON CONFLICT ("TenantId", "Day") DO UPDATE
            SET "Documents" = EXCLUDED."Documents", "Chunks" = EXCLUDED."Chunks", "Bytes" = EXCLUDED."Bytes", "CountedAt" = EXCLUDED."CountedAt"
            """,
            [new NpgsqlParameter("day", day), new NpgsqlParameter("yesterday", day.AddDays(-1)), new NpgsqlParameter("now", now),
             new NpgsqlParameter("tenant", NpgsqlTypes.NpgsqlDbType.Text) { Value = DBNull.Value }], cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Storage usage could not be counted; trying again in an hour")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
