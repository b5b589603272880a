using DocAIche.ServiceDefaults.Data;
using DocAIche.Search.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace DocAIche.Search.Searching;

/// <summary>
/// Counts, per library, the words so common that matching them would mean ranking a large part of
/// the library (PostgreSQL's <c>ts_rank_cd</c> has no inverse document frequency, and ranking tens
/// of thousands of matches is what makes full-text latency explode). Counted with <c>ts_stat</c> for
/// libraries above <see cref="SearchOptions.CommonTermMinimumChunks"/> whose index changed, at most
/// every <see cref="SearchOptions.CommonTermRefresh"/>.
/// </summary>
public sealed partial class TermStatistics(IServiceScopeFactory scopes, IOptions<SearchOptions> options, TimeProvider time, ILogger<TermStatistics> logger)
    : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(15);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        using var timer = new PeriodicTimer(Interval, time);
        do
        {
            try
            {
                await CountDueAsync(stoppingToken);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                LogFailed(logger, exception);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    private sealed record Due(Guid LibraryId, long Generation);

    internal async Task CountDueAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SearchDbContext>();
        var settings = options.Value;
        var before = time.GetUtcNow() - settings.CommonTermRefresh;
        // Across tenants: term statistics are counted for every library whose index changed.
        var due = await db.IndexedLibraries.AsNoTracking().AcrossTenants()
            .Where(l => !l.Deleted && l.Generation != l.TermsGeneration && (l.TermsCountedAt == null || l.TermsCountedAt < before))
            .Select(l => new Due(l.LibraryId, l.Generation))
            .ToListAsync(cancellationToken);
        foreach (var library in due)
        {
            var chunks = await db.IndexedChunks.AcrossTenants().CountAsync(c => c.LibraryId == library.LibraryId, cancellationToken);
            List<string> common = [];
            if (chunks >= settings.CommonTermMinimumChunks)
            {
                var threshold = (int)Math.Ceiling(chunks * settings.CommonTermShare);
                // ts_stat takes its rows as query text: the id is a GUID, formatted, never user input.
                var rows = $"SELECT \"SearchVector\" FROM indexed_chunks WHERE \"LibraryId\" = '{library.LibraryId:D}'";
                common = await db.Database.SqlQuery<string>($"SELECT word AS \"Value\" FROM ts_stat({rows}) WHERE ndoc > {threshold} ORDER BY word")
                    .ToListAsync(cancellationToken);
            }
            var now = time.GetUtcNow();
            await db.IndexedLibraries.AcrossTenants().Where(l => l.LibraryId == library.LibraryId)
                .ExecuteUpdateAsync(l => l
                    .SetProperty(x => x.CommonTerms, common)
                    .SetProperty(x => x.TermsGeneration, library.Generation)
                    .SetProperty(x => x.TermsCountedAt, now), cancellationToken);
            LogCounted(logger, library.LibraryId, chunks, common.Count);
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Counted terms of library {LibraryId}: {Chunks} chunks, {Common} common terms")]
    private static partial void LogCounted(ILogger logger, Guid libraryId, int chunks, int common);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Counting term statistics failed; trying again")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
