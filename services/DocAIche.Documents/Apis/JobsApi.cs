using DocAIche.Documents.Infrastructure;
using DocAIche.Documents.Ingestion;
using DocAIche.Documents.Model;
using DocAIche.ServiceDefaults.Auditing;
using DocAIche.ServiceDefaults.Authentication;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace DocAIche.Documents.Apis;

public static class JobsApi
{
    public static IEndpointRouteBuilder MapJobsApi(this IEndpointRouteBuilder app)
    {
        var jobs = app.MapGroup("/api/v1/jobs").WithTags("Ingestion jobs");
        jobs.MapGet("/", ListJobsAsync).WithName("ListJobs").WithSummary("List ingestion jobs, newest first").RequireAuthorization(DocAIchePolicies.Read);
        jobs.MapGet("/{id:guid}", GetJobAsync).WithName("GetJob").WithSummary("Get a job's state and counters").RequireAuthorization(DocAIchePolicies.Read);
        jobs.MapGet("/{id:guid}/errors", ListJobErrorsAsync).WithName("ListJobErrors").WithSummary("The items a job could not read or process, and why")
            .RequireAuthorization(DocAIchePolicies.Read);
        jobs.MapPost("/{id:guid}/cancel", CancelJobAsync).WithName("CancelJob")
            .WithSummary("Cancel a queued or running job; nothing of it is applied").RequireAuthorization(DocAIchePolicies.Edit);
        jobs.MapPost("/{id:guid}/retry", RetryJobAsync).WithName("RetryJob")
            .WithSummary("Queue a job that reads only the items this one failed on").RequireAuthorization(DocAIchePolicies.Edit);
        return app;
    }

    internal static async Task<Results<Ok<Page<JobResponse>>, ValidationProblem>> ListJobsAsync(
        HttpContext http, DocumentsDbContext db, CancellationToken cancellationToken, Guid? sourceId = null, string? state = null, string? cursor = null, int limit = 50)
    {
        if (!Problems.TryCursor(cursor, out var before))
        {
            return TypedResults.ValidationProblem(Problems.One("cursor", "The cursor is not one this API returned."));
        }
        if (limit is < 1 or > 200)
        {
            return TypedResults.ValidationProblem(Problems.One("limit", "The limit must be between 1 and 200."));
        }
        IngestionJobState? wanted = null;
        if (state is not null)
        {
            if (!Enum.TryParse<IngestionJobState>(state, ignoreCase: true, out var parsed) || int.TryParse(state, out _))
            {
                return TypedResults.ValidationProblem(Problems.One("state", "The state is queued, running, succeeded, failed or cancelled."));
            }
            wanted = parsed;
        }
        var tenant = http.User.GetTenantId();
        var query = db.IngestionJobs.AsNoTracking();
        if (sourceId is { } source)
        {
            query = query.Where(j => j.SourceId == source);
        }
        if (wanted is { } s)
        {
            query = query.Where(j => j.State == s);
        }
        if (before is { } b)
        {
            query = query.Where(j => j.Id < b);
        }
        var page = await query.OrderByDescending(j => j.Id).Take(limit + 1).ToListAsync(cancellationToken);
        var items = page.Take(limit).Select(JobResponse.From).ToList();
        return TypedResults.Ok(new Page<JobResponse>(items, page.Count > limit ? items[^1].Id.ToString() : null));
    }

    internal static async Task<Results<Ok<JobResponse>, NotFound>> GetJobAsync(Guid id, HttpContext http, DocumentsDbContext db, CancellationToken cancellationToken)
    {
        var tenant = http.User.GetTenantId();
        var job = await db.IngestionJobs.AsNoTracking().SingleOrDefaultAsync(j => j.Id == id, cancellationToken);
        return job is null ? TypedResults.NotFound() : TypedResults.Ok(JobResponse.From(job));
    }

    internal static async Task<Results<Ok<Page<JobErrorResponse>>, NotFound>> ListJobErrorsAsync(
        Guid id, HttpContext http, DocumentsDbContext db, CancellationToken cancellationToken, long? cursor = null)
    {
        var tenant = http.User.GetTenantId();
        if (!await db.IngestionJobs.AnyAsync(j => j.Id == id, cancellationToken))
        {
            return TypedResults.NotFound();
        }
        const int limit = 100;
        var query = db.IngestionJobItems.AsNoTracking().Where(i => i.JobId == id && i.State == IngestionItemState.Failed);
        if (cursor is { } after)
        {
            query = query.Where(i => i.Id > after);
        }
        var page = await query.OrderBy(i => i.Id).Take(limit + 1).ToListAsync(cancellationToken);
        var items = page.Take(limit).Select(i => new JobErrorResponse(i.Key, i.Url, i.Error ?? "", i.At)).ToList();
        return TypedResults.Ok(new Page<JobErrorResponse>(items, page.Count > limit ? page[limit - 1].Id.ToString(System.Globalization.CultureInfo.InvariantCulture) : null));
    }

    internal static async Task<Results<Ok<JobResponse>, Accepted<JobResponse>, NotFound, ProblemHttpResult>> CancelJobAsync(
        Guid id, HttpContext http, DocumentsDbContext db, TimeProvider time, CancellationToken cancellationToken)
    {
        var tenant = http.User.GetTenantId();
        var job = await db.IngestionJobs.Include(j => j.Source).SingleOrDefaultAsync(j => j.Id == id, cancellationToken);
        if (job is null)
        {
            return TypedResults.NotFound();
        }
        if (job.IsFinished)
        {
            return Problems.Conflict("Job finished", $"The job already ended ({job.State.ToString().ToLowerInvariant()}).");
        }

        job.CancelRequested = true;
        if (job.State == IngestionJobState.Queued)
        {
            // Not started: it ends now. The state check keeps a runner that claims it meanwhile from being overruled.
            var cancelled = await db.IngestionJobs.Where(j => j.Id == id && j.State == IngestionJobState.Queued)
                .ExecuteUpdateAsync(s => s.SetProperty(j => j.State, IngestionJobState.Cancelled)
                    .SetProperty(j => j.CancelRequested, true)
                    .SetProperty(j => j.Error, "Cancelled by a user before it started.")
                    .SetProperty(j => j.FinishedAt, time.GetUtcNow()), cancellationToken);
            if (cancelled == 1)
            {
                db.ChangeTracker.Clear();
                var ended = await db.IngestionJobs.SingleAsync(j => j.Id == id, cancellationToken);
                await db.StagedUploads.Where(u => u.JobId == id).ExecuteDeleteAsync(cancellationToken);
                IngestionQueue.Announce(db, ended, (await VersionTarget.LoadAsync(db, job.Source.LibraryVersionId, cancellationToken))!, time);
                db.AddAuditEvent(http, time, "ingestion.job.cancelled", "ingestion-job", id.ToString());
                await db.SaveChangesAsync(cancellationToken);
                return TypedResults.Ok(JobResponse.From(ended));
            }
            db.ChangeTracker.Clear();
            job = await db.IngestionJobs.SingleAsync(j => j.Id == id, cancellationToken);
            job.CancelRequested = true;
        }
        // Running: its runner notices within a couple of seconds and ends it as cancelled.
        db.AddAuditEvent(http, time, "ingestion.job.cancel_requested", "ingestion-job", id.ToString());
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Accepted($"/api/v1/jobs/{id}", JobResponse.From(job));
    }

    internal static async Task<Results<Accepted<JobResponse>, NotFound, ProblemHttpResult>> RetryJobAsync(
        Guid id, HttpContext http, DocumentsDbContext db, IngestionQueue queue, TimeProvider time, CancellationToken cancellationToken)
    {
        var tenant = http.User.GetTenantId();
        var job = await db.IngestionJobs.Include(j => j.Source).SingleOrDefaultAsync(j => j.Id == id, cancellationToken);
        if (job is null)
        {
            return TypedResults.NotFound();
        }
        if (!job.IsFinished)
        {
            return Problems.Conflict("Job not finished", "Retry a job once it has ended.");
        }
        if (job.Source.Kind == SourceKind.Upload)
        {
            return Problems.Conflict("Upload again", "Items of an upload are retried by uploading the corrected files.");
        }
        var failed = await db.IngestionJobItems.Where(i => i.JobId == id && i.State == IngestionItemState.Failed).Select(i => i.Key).ToListAsync(cancellationToken);
        if (failed.Count == 0)
        {
            return Problems.Conflict("Nothing to retry", "The job has no failed items.");
        }
        var retry = await queue.EnqueueAsync(job.Source, IngestionTrigger.Retry, http.User.GetSubject(), isSnapshot: false, failed, cancellationToken);
        if (retry is null)
        {
            return Problems.TooMany("The tenant has as many ingestion jobs waiting as it may; try again when some have run.");
        }
        retry.RetryOfJobId = id;
        IngestionQueue.Announce(db, retry, (await VersionTarget.LoadAsync(db, job.Source.LibraryVersionId, cancellationToken))!, time);
        db.AddAuditEvent(http, time, "ingestion.job.retried", "ingestion-job", id.ToString(),
            details: new Dictionary<string, string> { ["retryJobId"] = retry.Id.ToString() });
        await db.SaveChangesAsync(cancellationToken);
        queue.Wake();
        return TypedResults.Accepted($"/api/v1/jobs/{retry.Id}", JobResponse.From(retry));
    }
}
