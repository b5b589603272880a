using DocAIche.Search.Searching;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using DocAIche.Search.Infrastructure;
using DocAIche.ServiceDefaults.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace DocAIche.Search.Embeddings;

/// <summary>
/// Gives every indexed chunk a vector from the configured model, in batches. Chunks are claimed with
/// <c>FOR UPDATE SKIP LOCKED</c>, so several search instances embed side by side without doing the same
/// work twice. A chunk is found by full text from the moment it is indexed, and by meaning once it has
/// its vector. Newest chunks go first: what was just ingested is what people search for next. When
/// the configured model changes, every vector from another model is queued again.
/// </summary>
public sealed partial class ChunkEmbedder(
    IServiceScopeFactory scopes, EmbeddingModel model, EmbeddingSignal signal, IOptions<EmbeddingOptions> options,
    IMeterFactory meters, ILogger<ChunkEmbedder> logger) : BackgroundService
{
    private readonly Counter<long> _embedded = meters.Create(SearchMetrics.MeterName).CreateCounter<long>("docaiche.search.chunks_embedded", "{chunk}");

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await RequeueOtherModelsAsync(stoppingToken);
                break;
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                LogFailed(logger, exception);
                await Task.Delay(options.Value.PollInterval, stoppingToken);
            }
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            int embedded;
            try
            {
                embedded = await EmbedBatchAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception)
            {
                LogFailed(logger, exception);
                embedded = 0;
            }
            if (embedded == 0)
            {
                try
                {
                    await signal.WaitAsync(options.Value.PollInterval, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    /// <summary>Queues again the chunks whose vectors another model made (after a change of model).</summary>
    private async Task RequeueOtherModelsAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SearchDbContext>();
        // Across tenants: the embedder serves every tenant's chunks.
        var requeued = await db.IndexedChunks.AcrossTenants()
            .Where(c => c.EmbeddingModel != null && c.EmbeddingModel != model.Id)
            .ExecuteUpdateAsync(c => c.SetProperty(x => x.EmbeddingModel, (string?)null), cancellationToken);
        if (requeued > 0)
        {
            LogRequeued(logger, requeued, model.Id);
        }
    }

    /// <summary>Embeds one batch of waiting chunks; returns how many.</summary>
    internal async Task<int> EmbedBatchAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SearchDbContext>();
        var started = Stopwatch.GetTimestamp();
        var count = await db.InTransactionAsync(async token =>
        {
            var batch = await db.Database.SqlQuery<WaitingChunk>($"""
                SELECT "ChunkId", "LibraryId", "Breadcrumb", "Content"
                FROM indexed_chunks
                WHERE "EmbeddingModel" IS NULL
                ORDER BY "IndexedAt" DESC
                LIMIT {model.BatchSize}
                FOR UPDATE SKIP LOCKED
                """).ToListAsync(token);
            if (batch.Count == 0)
            {
                return 0;
            }

            var vectors = await model.EmbedPassagesAsync([.. batch.Select(c => EmbeddingModel.PassageText(c.Breadcrumb, c.Content))], token);
            for (var i = 0; i < batch.Count; i++)
            {
                await db.Database.ExecuteSqlAsync(
                    $"""UPDATE indexed_chunks SET "Embedding" = {vectors[i]}::real[]::vector, "EmbeddingModel" = {model.Id} WHERE "ChunkId" = {batch[i].ChunkId}""", token);
            }
            var libraries = batch.Select(c => c.LibraryId).Distinct().ToList();
            await db.IndexedLibraries.AcrossTenants().Where(l => libraries.Contains(l.LibraryId))
                .ExecuteUpdateAsync(l => l.SetProperty(x => x.Generation, x => x.Generation + 1), token);
            return batch.Count;
        }, cancellationToken);

        if (count > 0)
        {
            _embedded.Add(count);
            LogEmbedded(logger, count, model.Id, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
        return count;
    }

    private sealed record WaitingChunk(Guid ChunkId, Guid LibraryId, string Breadcrumb, string Content);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Embedded {Count} chunks with {Model} in {Milliseconds:F0} ms")]
    private static partial void LogEmbedded(ILogger logger, int count, string model, double milliseconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Queued {Count} chunks to be embedded again with {Model}")]
    private static partial void LogRequeued(ILogger logger, int count, string model);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Embedding chunks failed; trying again")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
