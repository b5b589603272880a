using DocAIche.ServiceDefaults.Data;
using DocAIche.Search.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace DocAIche.Search.Searching;

/// <summary>
/// Counts, per library, how many chunks hold each word (PostgreSQL's <c>ts_stat</c> into
/// <c>indexed_terms</c>): search weighs a query's words by their inverse document frequency, which
/// <c>ts_rank</c> lacks (so common words, the library's own name among them, outweighed rare and
/// decisive ones), and lets only the rarer words pick candidates (ranking every match of a common word
/// is what makes full-text latency explode). A library whose index changed is counted again at the
/// next tick when it is small (<see cref="SearchOptions.CommonTermMinimumChunks"/>), at most every
/// <see cref="SearchOptions.CommonTermRefresh"/> when large.
/// </summary>
public sealed partial class TermStatistics(IServiceScopeFactory scopes, IOptions<SearchOptions> options, TimeProvider time, ILogger<TermStatistics> logger)
    : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(15);

    /// <summary>
    /// The turn a tick counts under ("DocATerm"). Every instance counts on the same interval; without
    /// a turn two of them recount the same library at once, and the second one's insert of the same
    /// terms fails on the primary key. A session lock (<see cref="ExclusiveTurn"/>) spans the choice of
    /// due libraries and their counts, so the next holder sees them counted; an instance that finds
    /// it taken skips the tick.
    /// </summary>
    private const long CountTurn = 0x446f63415465726d;

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

    private sealed record Due(Guid LibraryId, string TenantId, long Generation);

    internal async Task CountDueAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SearchDbContext>();
        await using var turn = await ExclusiveTurn.TryTakeAsync(db, CountTurn, cancellationToken);
        if (turn is null)
        {
            return; // another instance is counting
        }
        var settings = options.Value;
        var before = time.GetUtcNow() - settings.CommonTermRefresh;
        // Across tenants: term statistics are counted for every library whose index changed.
        var due = await db.IndexedLibraries.AsNoTracking().AcrossTenants()
            .Where(l => !l.Deleted && l.Generation != l.TermsGeneration
                && (l.TermsCountedAt == null || l.TermsCountedAt < before || l.TermsChunks < settings.CommonTermMinimumChunks))
            .Select(l => new Due(l.LibraryId, l.TenantId, l.Generation))
            .ToListAsync(cancellationToken);
        foreach (var library in due)
        {
            var chunks = await db.InTransactionAsync(async token =>
            {
                var count = await db.IndexedChunks.AcrossTenants().CountAsync(c => c.LibraryId == library.LibraryId, token);
                await db.IndexedTerms.AcrossTenants().Where(t => t.LibraryId == library.LibraryId).ExecuteDeleteAsync(token);
                // ts_stat takes its rows as query text: the id is a GUID, formatted, never user input.
                var rows = $"SELECT \"SearchVector\" FROM indexed_chunks WHERE \"LibraryId\" = '{library.LibraryId:D}'";
                await db.Database.ExecuteSqlAsync($"""
                    INSERT INTO indexed_terms ("LibraryId", "TenantId", "Lexeme", "Chunks")
                    SELECT {library.LibraryId}, {library.TenantId}, word, ndoc FROM ts_stat({rows})
                    """, token);
                var now = time.GetUtcNow();
                await db.IndexedLibraries.AcrossTenants().Where(l => l.LibraryId == library.LibraryId)
                    .ExecuteUpdateAsync(l => l
                        .SetProperty(x => x.TermsChunks, count)
                        .SetProperty(x => x.TermsGeneration, library.Generation)
                        .SetProperty(x => x.TermsCountedAt, now), token);
                return count;
            }, cancellationToken);
            LogCounted(logger, library.LibraryId, chunks);
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Counted the terms of library {LibraryId}: {Chunks} chunks")]
    private static partial void LogCounted(ILogger logger, Guid libraryId, int chunks);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Counting term statistics failed; trying again")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
