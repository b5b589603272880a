using DocAIche.ServiceDefaults.Data;
using DocAIche.Contracts.Documents;
using DocAIche.Documents.Infrastructure;
using DocAIche.Documents.Model;
using DocAIche.ServiceDefaults.Messaging;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace DocAIche.Documents.Ingestion;

/// <summary>Wakes this instance's runners when a job is queued here, instead of waiting for their next poll.</summary>
internal sealed class IngestionSignal : IDisposable
{
    private readonly SemaphoreSlim signal = new(0, int.MaxValue);

    public void Dispose() => signal.Dispose();

    public void Notify() => signal.Release();

    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) => signal.WaitAsync(timeout, cancellationToken);
}

/// <summary>Queues ingestion jobs within the tenant's limit.</summary>
internal sealed class IngestionQueue(DocumentsDbContext db, IOptions<IngestionOptions> options, IngestionSignal signal, TimeProvider time)
{
    /// <summary>Adds a queued job to the unit of work; null when the tenant already has as many waiting as it may.</summary>
    public async Task<IngestionJob?> EnqueueAsync(
        Source source, IngestionTrigger trigger, string requestedBy, bool isSnapshot, List<string>? onlyKeys, CancellationToken cancellationToken)
    {
        // The source names its tenant (the scheduler queues for every tenant): its limit counts that tenant's jobs.
        var queued = await db.IngestionJobs.AcrossTenants().CountAsync(j => j.TenantId == source.TenantId && j.State == IngestionJobState.Queued, cancellationToken);
        if (queued >= options.Value.MaxQueuedJobsPerTenant)
        {
            return null;
        }

        var now = time.GetUtcNow();
        var job = new IngestionJob
        {
            Id = Guid.CreateVersion7(now),
            TenantId = source.TenantId,
            SourceId = source.Id,
            Trigger = trigger,
            State = IngestionJobState.Queued,
            RequestedBy = requestedBy,
            IsSnapshot = isSnapshot,
            OnlyKeys = onlyKeys,
            CreatedAt = now,
        };
        db.IngestionJobs.Add(job);
        return job;
    }

    /// <summary>Call after the job is saved.</summary>
    public void Wake() => signal.Notify();

    /// <summary>Queues the progress event of a job that changed state outside a runner (queued, cancelled while waiting).</summary>
    public static void Announce(DocumentsDbContext db, IngestionJob job, VersionTarget target, TimeProvider time)
    {
        if (job.IsFinished)
        {
            db.AddIntegrationEvent(Finished(job, target, time.GetUtcNow()), time);
        }
        else
        {
            db.AddIntegrationEvent(new IngestionJobProgressed(
                job.Id, job.TenantId, job.SourceId, target.LibraryId, target.Version, job.State.ToString().ToLowerInvariant(), job.Counters, time.GetUtcNow()), time);
        }
    }

    public static IngestionJobFinished Finished(IngestionJob job, VersionTarget target, DateTimeOffset at) => new(
        job.Id, job.TenantId, job.SourceId, target.LibraryId, target.Version, job.State.ToString().ToLowerInvariant(), job.Counters,
        job.DocumentsChanged, job.DocumentsRemoved, job.Error, job.RequestedBy, at);
}
