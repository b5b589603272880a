using System.Diagnostics;
using DocAIche.Contracts.Documents;
using DocAIche.Documents.Chunking;
using DocAIche.Documents.Infrastructure;
using DocAIche.Documents.Model;
using DocAIche.Documents.Quotas;
using DocAIche.Documents.Processing;
using DocAIche.Documents.Sources;
using DocAIche.ServiceDefaults.Data;
using DocAIche.ServiceDefaults.Messaging;
using DocAIche.ServiceDefaults.Security;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace DocAIche.Documents.Ingestion;

/// <summary>
/// Runs one claimed job: reads the source through its reader, stages what changed, then applies
/// everything in one transaction. A restarted job begins again (nothing of it was applied), and a
/// failed or cancelled one applies nothing. The runner holds the job by its lease, renewed while it
/// works; a runner whose lease lapsed and whose job another runner took over leaves the job alone.
/// </summary>
internal sealed partial class IngestionJobExecution(
    DocumentsDbContext db,
    IServiceScopeFactory scopes,
    IEnumerable<ISourceReader> readers,
    DocumentWriter writer,
    MarkdownChunker chunker,
    IOptions<IngestionOptions> options,
    TimeProvider time,
    ILogger<IngestionJobExecution> logger)
{
    private const int BatchSize = 100;
    private const int MaxLinks = 1000;
    private const string TakenOver = "Another runner took the job over.";
    private static readonly TimeSpan FlushInterval = TimeSpan.FromSeconds(2);

    private IngestionJob job = null!;
    private VersionTarget target = null!;
    private string runner = "";
    private long lastFlush;
    private int discovered, fetched, processed, unchanged, failed, chunks;
    private SourceReading reading = null!;

    public async Task RunAsync(Guid jobId, string runnerId, CancellationToken cancellationToken)
    {
        runner = runnerId;
        // The runner claimed the job without knowing its tenant; from here on the work is that tenant's alone.
        job = await db.IngestionJobs.AcrossTenants().Include(j => j.Source).SingleAsync(j => j.Id == jobId, cancellationToken);
        db.Tenant.ActFor(job.TenantId);
        target = (await VersionTarget.LoadAsync(db, job.Source.LibraryVersionId, cancellationToken))!;
        LogStarted(logger, job.Id, job.Source.Kind, job.Attempts);

        if (job.Attempts > options.Value.MaxAttempts)
        {
            await FinishAsync(IngestionJobState.Failed, $"The job was interrupted {job.Attempts - 1} times and is not started again.");
            return;
        }

        // A job that ran before was interrupted before it applied anything: start it again from the beginning.
        await db.IngestionJobItems.Where(i => i.JobId == job.Id).ExecuteDeleteAsync(cancellationToken);

        try
        {
            await ReadAsync(cancellationToken);
            if (reading.NothingToDo is { } note)
            {
                job.Note = note;
                await FinishAsync(IngestionJobState.Succeeded, error: null);
                return;
            }
            await ApplyAsync(cancellationToken);
        }
        catch (JobCancelledException)
        {
            await FinishAsync(IngestionJobState.Cancelled, "Cancelled by a user; nothing was applied.");
        }
        catch (IngestionFailedException failure)
        {
            await FinishAsync(IngestionJobState.Failed, failure.Message);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The service is stopping: let another runner (or this one after a restart) take the job at once.
            db.ChangeTracker.Clear();
            await db.IngestionJobs.Where(j => j.Id == job.Id && j.LeaseOwner == runner)
                .ExecuteUpdateAsync(s => s.SetProperty(j => j.LeaseExpiresAt, time.GetUtcNow()), CancellationToken.None);
            throw;
        }
        catch (OperationCanceledException)
        {
            await FinishAsync(IngestionJobState.Failed, "Reading the source took longer than allowed; nothing was applied.");
        }
        catch (Exception unexpected)
        {
            LogUnexpected(logger, unexpected, job.Id);
            await FinishAsync(IngestionJobState.Failed, $"The job stopped on an unexpected error ({unexpected.GetType().Name}); nothing was applied.");
        }
    }

    private async Task ReadAsync(CancellationToken cancellationToken)
    {
        var source = job.Source;
        var known = await db.Documents.AsNoTracking()
            .Where(d => d.SourceId == source.Id)
            .Select(d => new { d.Key, d.ContentHash, d.Title, d.ETag, d.LastModified, d.Links })
            .ToDictionaryAsync(d => d.Key, d => new KnownDocument(d.ContentHash, d.Title, d.ETag, d.LastModified, d.Links), StringComparer.Ordinal, cancellationToken);
        var reader = readers.Single(r => r.Kind == source.Kind);
        reading = new SourceReading
        {
            Job = job,
            Source = source,
            Known = known,
            Token = source.ProtectedToken is { } token ? SecretBox.UnprotectText(token, SecretBox.KeyFrom(options.Value.CredentialKey)) : null,
            OnlyKeys = job.OnlyKeys is { } only ? only.ToHashSet(StringComparer.Ordinal) : null,
        };

        job.Discovered = job.Fetched = job.Processed = job.Skipped = job.Failed = job.Chunks = 0;
        job.Error = job.Note = null;
        await db.SaveChangesAsync(cancellationToken);
        lastFlush = Stopwatch.GetTimestamp();

        var keys = new HashSet<string>(StringComparer.Ordinal);
        var pending = 0;
        await foreach (var item in reader.ReadAsync(reading, cancellationToken))
        {
            if (!keys.Add(item.Key))
            {
                reading.Skip();
                continue;
            }
            db.IngestionJobItems.Add(Stage(item, known));
            if (++pending >= BatchSize)
            {
                await db.SaveChangesAsync(cancellationToken);
                db.ChangeTracker.Clear();
                pending = 0;
            }
            if (Stopwatch.GetElapsedTime(lastFlush) >= FlushInterval)
            {
                await db.SaveChangesAsync(cancellationToken);
                db.ChangeTracker.Clear();
                pending = 0;
                await FlushAsync(cancellationToken);
            }
        }
        await db.SaveChangesAsync(cancellationToken);
        db.ChangeTracker.Clear();
        job.Commit = reading.Commit;
        await FlushAsync(cancellationToken);
    }

    private IngestionJobItem Stage(SourceItem item, Dictionary<string, KnownDocument> known)
    {
        var staged = new IngestionJobItem
        {
            JobId = job.Id,
            Key = Truncate(item.Key, IngestionJobItem.KeyMaxLength),
            Url = item.Url is { Length: <= Document.SourceUrlMaxLength } ? item.Url : null,
            ETag = item.ETag is { Length: <= 300 } ? item.ETag : null,
            LastModified = item.LastModified is { Length: <= 100 } ? item.LastModified : null,
            At = time.GetUtcNow(),
        };
        if (item.Error is { } error)
        {
            failed++;
            staged.State = IngestionItemState.Failed;
            staged.Error = Truncate(error, IngestionJobItem.ErrorMaxLength);
            return staged;
        }
        if (item.NotModified && known.TryGetValue(item.Key, out var same))
        {
            unchanged++;
            staged.State = IngestionItemState.Unchanged;
            staged.ContentHash = same.ContentHash;
            return staged;
        }

        fetched++;
        NormalisedDocument document;
        try
        {
            document = item.Document ?? DocumentNormaliser.Normalise(item.Content ?? "", item.Kind ?? ContentKind.PlainText, FallbackTitle(item.Key),
                Uri.TryCreate(item.Url, UriKind.Absolute, out var url) ? url : null);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            failed++;
            staged.State = IngestionItemState.Failed;
            staged.Error = $"Could not be converted to Markdown ({e.GetType().Name}).";
            return staged;
        }

        if (string.IsNullOrWhiteSpace(document.Markdown) || document.Markdown.Length > Document.ContentMaxLength)
        {
            failed++;
            staged.State = IngestionItemState.Failed;
            staged.Error = string.IsNullOrWhiteSpace(document.Markdown)
                ? "No text is left after conversion."
                : $"Longer than {Document.ContentMaxLength} characters after conversion.";
            return staged;
        }

        var title = Truncate(document.Title, Document.TitleMaxLength);
        staged.Title = title;
        if (item.Kind == ContentKind.Html || item.Document is not null)
        {
            staged.Links = [.. document.Links.Take(MaxLinks).Select(l => l.AbsoluteUri).Where(l => l.Length <= Document.SourceUrlMaxLength)];
        }
        staged.ContentHash = document.ContentHash;
        if (known.TryGetValue(item.Key, out var stored) && stored.ContentHash == document.ContentHash && stored.Title == title)
        {
            unchanged++;
            staged.State = IngestionItemState.Unchanged;
            return staged;
        }

        processed++;
        chunks += chunker.Chunk(document.Markdown, title, null).Count;
        staged.State = IngestionItemState.Staged;
        staged.Markdown = document.Markdown;
        return staged;
    }

    /// <summary>Reports progress, renews the lease and notices a cancellation.</summary>
    private async Task FlushAsync(CancellationToken cancellationToken)
    {
        lastFlush = Stopwatch.GetTimestamp();
        discovered = Math.Max(reading.Discovered, fetched + unchanged + failed);
        var now = time.GetUtcNow();
        var current = await db.IngestionJobs.SingleAsync(j => j.Id == job.Id, cancellationToken);
        if (current.LeaseOwner != runner)
        {
            throw new IngestionFailedException(TakenOver);
        }
        if (current.CancelRequested)
        {
            throw new JobCancelledException();
        }
        CopyCounters(current);
        current.Commit = job.Commit;
        current.LeaseExpiresAt = now + options.Value.JobLease;
        IngestionQueue.Announce(db, current, target, time);
        await db.SaveChangesAsync(cancellationToken);
        db.ChangeTracker.Clear();
        job = current;
        job.Source = reading.Source;
    }

    private void CopyCounters(IngestionJob into)
    {
        into.Discovered = discovered;
        into.Fetched = fetched;
        into.Processed = processed;
        into.Skipped = unchanged + reading.Skipped;
        into.Failed = failed;
        into.Chunks = chunks;
    }

    /// <summary>
    /// Applies the staged items in one transaction. That can outlast the lease, and the transaction's
    /// own writes stay invisible to other runners until it commits, so the lease is kept meanwhile
    /// from a connection of its own (<see cref="KeepLeaseAsync"/>; the last flush of the reading has
    /// just renewed it). Should the job turn out to be another runner's, the apply stops and rolls back.
    /// </summary>
    private async Task ApplyAsync(CancellationToken cancellationToken)
    {
        var sourceId = job.Source.Id;
        using var applying = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var applied = new CancellationTokenSource();
        var keeping = KeepLeaseAsync(applying, applied.Token);
        int changed, removed;
        try
        {
            (changed, removed) = await ApplyStagedAsync(sourceId, applying.Token);
        }
        catch (OperationCanceledException) when (applying.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new IngestionFailedException(TakenOver);
        }
        finally
        {
            await applied.CancelAsync();
            await keeping;
        }
        LogFinished(logger, job.Id, IngestionJobState.Succeeded, changed, removed);
    }

    private Task<(int Changed, int Removed)> ApplyStagedAsync(Guid sourceId, CancellationToken cancellationToken)
    {
        var failedWhenRead = failed;
        return db.InTransactionAsync(async token =>
        {
            // Run again from the top when the execution strategy retries after a transient failure.
            db.ChangeTracker.Clear();
            writer.StartOver();
            failed = failedWhenRead;
            var changed = 0;
            var removed = 0;
            long last = 0;
            while (true)
            {
                var batch = await db.IngestionJobItems.AsNoTracking()
                    .Where(i => i.JobId == job.Id && i.State == IngestionItemState.Staged && i.Id > last)
                    .OrderBy(i => i.Id).Take(BatchSize).ToListAsync(token);
                if (batch.Count == 0)
                {
                    break;
                }
                // One query for the batch's stored documents instead of one per item.
                var keys = batch.Select(i => i.Key).ToList();
                var stored = await db.Documents.Where(d => d.SourceId == sourceId && keys.Contains(d.Key))
                    .ToDictionaryAsync(d => d.Key, StringComparer.Ordinal, token);
                foreach (var item in batch)
                {
                    try
                    {
                        var (outcome, _) = await writer.WriteAsync(target, sourceId,
                            new DocumentContent(item.Key, item.Title!, item.Markdown!, item.ContentHash!, item.Url, item.ETag, item.LastModified, item.Links),
                            stored.GetValueOrDefault(item.Key), token);
                        if (outcome != WriteOutcome.Unchanged)
                        {
                            changed++;
                        }
                    }
                    catch (QuotaExceededException refused)
                    {
                        // The stored document (if any) stays; the item says why, like any item that could not be read.
                        var itemId = item.Id;
                        var error = Truncate(refused.Message, IngestionJobItem.ErrorMaxLength);
                        await db.IngestionJobItems.Where(i => i.Id == itemId).ExecuteUpdateAsync(i => i
                            .SetProperty(x => x.State, IngestionItemState.Failed)
                            .SetProperty(x => x.Error, error)
                            .SetProperty(x => x.Markdown, (string?)null), token);
                        failed++;
                    }
                }
                await db.SaveChangesAsync(token);
                db.ChangeTracker.Clear();
                last = batch[^1].Id;
            }

            // Validators of unchanged pages move on too, so the next crawl asks with the newest ones.
            await db.Database.ExecuteSqlAsync($"""
                UPDATE documents AS d SET "ETag" = i."ETag", "LastModified" = i."LastModified", "Links" = COALESCE(i."Links", d."Links")
                FROM ingestion_job_items AS i
                WHERE i."JobId" = {job.Id} AND i."State" = 'Unchanged' AND d."SourceId" = {sourceId} AND d."Key" = i."Key"
                  AND (i."ETag" IS NOT NULL OR i."LastModified" IS NOT NULL OR i."Links" IS NOT NULL)
                """, token);

            if (job.IsSnapshot)
            {
                var jobId = job.Id;
                removed = await writer.RemoveAsync(target,
                    db.Documents.Where(d => d.SourceId == sourceId && !db.IngestionJobItems.Any(i => i.JobId == jobId && i.Key == d.Key)),
                    token);
            }

            var now = time.GetUtcNow();
            var commit = reading.Commit;
            await db.Sources.Where(s => s.Id == sourceId).ExecuteUpdateAsync(s => s
                .SetProperty(x => x.LastCommit, x => commit ?? x.LastCommit)
                .SetProperty(x => x.LastIngestedAt, now), token);

            job.DocumentsChanged = changed;
            job.DocumentsRemoved = removed;
            if (!await CompleteAsync(IngestionJobState.Succeeded, error: null, token))
            {
                // The lease lapsed and another runner has the job: none of this is applied.
                throw new IngestionFailedException(TakenOver);
            }
            return (changed, removed);
        }, cancellationToken);
    }

    /// <summary>
    /// Renews the lease every third of its length until <paramref name="applied"/>, on a context of its
    /// own (the apply's is busy in its transaction). When the job is no longer this runner's it
    /// cancels <paramref name="applying"/>. A renewal that fails (the database is away) is tried again
    /// at the next beat; should the lease lapse meanwhile, the completion finds out.
    /// </summary>
    private async Task KeepLeaseAsync(CancellationTokenSource applying, CancellationToken applied)
    {
        try
        {
            while (true)
            {
                await Task.Delay(options.Value.JobLease / 3, time, applied);
                await using var scope = scopes.CreateAsyncScope();
                bool held;
                try
                {
                    held = await RenewLeaseAsync(scope.ServiceProvider.GetRequiredService<DocumentsDbContext>(), applied);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    LogLeaseNotRenewed(logger, e, job.Id);
                    continue;
                }
                if (!held)
                {
                    await applying.CancelAsync();
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (applied.IsCancellationRequested)
        {
        }
    }

    /// <summary>
    /// Extends the lease, only while this runner holds it (its claim made it the lease's owner); false
    /// when the lease lapsed and another runner took the job over, or the job has ended. Inside a
    /// transaction it also locks the job's row until the commit, so that nobody takes the job over in between.
    /// </summary>
    private async Task<bool> RenewLeaseAsync(DocumentsDbContext on, CancellationToken cancellationToken)
    {
        var jobId = job.Id;
        var leaseEnds = time.GetUtcNow() + options.Value.JobLease;
        // Across tenants: the one job this runner claimed, by its id.
        return await on.IngestionJobs.AcrossTenants().Where(j => j.Id == jobId && j.LeaseOwner == runner)
            .ExecuteUpdateAsync(s => s.SetProperty(j => j.LeaseExpiresAt, leaseEnds), cancellationToken) == 1;
    }

    private async Task FinishAsync(IngestionJobState state, string? error)
    {
        var ended = await db.InTransactionAsync(token =>
        {
            db.ChangeTracker.Clear();
            return CompleteAsync(state, error, token);
        }, CancellationToken.None);
        if (ended)
        {
            LogEnded(logger, job.Id, state, error ?? job.Note ?? "nothing to do");
        }
        else
        {
            LogTakenOver(logger, job.Id);
        }
    }

    /// <summary>
    /// Ends the job: keeps only the failed items (for users to read), drops staged content and uploads.
    /// Only while this runner holds the job; false, changing nothing, when another runner took it over
    /// (that runner ends it, and announces its end once) or it has ended already.
    /// </summary>
    private async Task<bool> CompleteAsync(IngestionJobState state, string? error, CancellationToken cancellationToken)
    {
        // Checks and locks in one statement: between here and the commit no runner can take the job over.
        if (!await RenewLeaseAsync(db, cancellationToken))
        {
            return false;
        }
        var jobId = job.Id;
        await db.IngestionJobItems.Where(i => i.JobId == jobId && i.State != IngestionItemState.Failed).ExecuteDeleteAsync(cancellationToken);
        await db.StagedUploads.Where(u => u.JobId == jobId).ExecuteDeleteAsync(cancellationToken);

        var current = await db.IngestionJobs.SingleAsync(j => j.Id == jobId, cancellationToken);
        if (reading is not null)
        {
            discovered = Math.Max(reading.Discovered, fetched + unchanged + failed);
            CopyCounters(current);
        }
        current.State = state;
        current.Error = error is null ? null : Truncate(error, IngestionJobItem.ErrorMaxLength);
        current.Note = job.Note;
        current.Commit = reading?.Commit ?? current.Commit;
        current.DocumentsChanged = job.DocumentsChanged;
        current.DocumentsRemoved = job.DocumentsRemoved;
        current.FinishedAt = time.GetUtcNow();
        current.LeaseOwner = null;
        current.LeaseExpiresAt = null;
        IngestionQueue.Announce(db, current, target, time);
        await db.SaveChangesAsync(cancellationToken);
        db.ChangeTracker.Clear();
        return true;
    }

    private static string FallbackTitle(string key)
    {
        var name = key.TrimEnd('/').Split('/', '\\').LastOrDefault(s => s.Length > 0) ?? key;
        var dot = name.LastIndexOf('.');
        return dot > 0 ? name[..dot] : name;
    }

    private static string Truncate(string value, int max) => value.Length <= max ? value : value[..(max - 1)] + "…";

    private sealed class JobCancelledException : Exception;

    [LoggerMessage(Level = LogLevel.Information, Message = "Ingestion job {JobId} ({Kind}) started, attempt {Attempt}")]
    private static partial void LogStarted(ILogger logger, Guid jobId, SourceKind kind, int attempt);

    [LoggerMessage(Level = LogLevel.Information, Message = "Ingestion job {JobId} ended {State}: {Changed} documents changed, {Removed} removed")]
    private static partial void LogFinished(ILogger logger, Guid jobId, IngestionJobState state, int changed, int removed);

    [LoggerMessage(Level = LogLevel.Information, Message = "Ingestion job {JobId} ended {State}: {Error}")]
    private static partial void LogEnded(ILogger logger, Guid jobId, IngestionJobState state, string? error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Ingestion job {JobId} was taken over by another runner after this one's lease lapsed; this runner leaves it as it is")]
    private static partial void LogTakenOver(ILogger logger, Guid jobId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The lease of ingestion job {JobId} could not be renewed; trying again")]
    private static partial void LogLeaseNotRenewed(ILogger logger, Exception exception, Guid jobId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Ingestion job {JobId} stopped on an unexpected error")]
    private static partial void LogUnexpected(ILogger logger, Exception exception, Guid jobId);
}
