using DocAIche.ServiceDefaults.Networking;
using DocAIche.Contracts.Documents;
using DocAIche.Documents.Crawling;
using DocAIche.Documents.Fetching;
using DocAIche.Documents.Infrastructure;
using DocAIche.Documents.Ingestion;
using DocAIche.Documents.Model;
using DocAIche.Documents.Quotas;
using DocAIche.Documents.Processing;
using DocAIche.Documents.Sources;
using DocAIche.Documents.Uploads;
using DocAIche.ServiceDefaults.Auditing;
using DocAIche.ServiceDefaults.Authentication;
using DocAIche.ServiceDefaults.Data;
using DocAIche.ServiceDefaults.Messaging;
using DocAIche.ServiceDefaults.Security;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace DocAIche.Documents.Apis;

public static class SourcesApi
{
    public static IEndpointRouteBuilder MapSourcesApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/v1/libraries/{libraryId:guid}/versions/{version}/sources", CreateSourceAsync)
            .WithTags("Sources").WithName("CreateSource").WithSummary("Attach a Git repository, website or upload source to a library version")
            .RequireAuthorization(DocAIchePolicies.Edit);

        var sources = app.MapGroup("/api/v1/sources").WithTags("Sources");
        sources.MapGet("/", ListSourcesAsync).WithName("ListSources").WithSummary("List the tenant's sources").RequireAuthorization(DocAIchePolicies.Read);
        sources.MapGet("/{id:guid}", GetSourceAsync).WithName("GetSource").WithSummary("Get a source").RequireAuthorization(DocAIchePolicies.Read);
        sources.MapPatch("/{id:guid}", UpdateSourceAsync).WithName("UpdateSource").WithSummary("Change a source's settings or schedule")
            .RequireAuthorization(DocAIchePolicies.Edit);
        sources.MapDelete("/{id:guid}", DeleteSourceAsync).WithName("DeleteSource").WithSummary("Delete a source and the documents it brought")
            .RequireAuthorization(DocAIchePolicies.Edit);
        sources.MapPost("/{id:guid}/refresh", RefreshSourceAsync).WithName("RefreshSource")
            .WithSummary("Read a Git or website source again now").WithDescription("Answers 202 with the queued ingestion job.")
            .RequireAuthorization(DocAIchePolicies.Edit);
        sources.MapPost("/{id:guid}/uploads", UploadAsync).WithName("UploadToSource")
            .WithSummary("Upload a document or a zip archive of documents to an upload source")
            .WithDescription("multipart/form-data with one file field. A zip archive replaces the source's documents; a single file adds or replaces one. Answers 202 with the job.")
            .Accepts<IFormFile>("multipart/form-data")
            // Above the default archive limit (50 MiB); the configured limits are checked on the file itself.
            .WithMetadata(new Microsoft.AspNetCore.Mvc.RequestSizeLimitAttribute(64 * 1024 * 1024))
            .DisableAntiforgery()
            .RequireAuthorization(DocAIchePolicies.Edit);
        sources.MapPost("/{id:guid}/documents", StoreDocumentAsync).WithName("StoreDocument")
            .WithSummary("Store one document in an upload source now (created or replaced by path)")
            .WithMetadata(new Microsoft.AspNetCore.Mvc.RequestSizeLimitAttribute(8 * 1024 * 1024))
            .RequireAuthorization(DocAIchePolicies.Edit);

        return app;
    }

    private static IQueryable<Source> TenantSources(DocumentsDbContext db, string tenant) =>
        db.Sources.Include(s => s.LibraryVersion).ThenInclude(v => v.Library);

    internal static async Task<Results<Created<SourceResponse>, NotFound, ValidationProblem>> CreateSourceAsync(
        Guid libraryId, string version, CreateSourceRequest request, HttpContext http, DocumentsDbContext db, GuardedNetwork network,
        IOptions<IngestionOptions> options, IOptions<CrawlerOptions> crawler, TimeProvider time, CancellationToken cancellationToken)
    {
        var tenant = http.User.GetTenantId();
        var target = await db.LibraryVersions.Include(v => v.Library)
            .SingleOrDefaultAsync(v => v.LibraryId == libraryId && v.Name == version, cancellationToken);
        if (target is null)
        {
            return TypedResults.NotFound();
        }

        var errors = new Dictionary<string, string[]>();
        SourceKind? kind = request.Kind?.Trim().ToLowerInvariant() switch
        {
            "git" => SourceKind.Git,
            "website" => SourceKind.Website,
            "upload" => SourceKind.Upload,
            _ => null,
        };
        if (kind is null)
        {
            errors["kind"] = ["The kind is git, website or upload."];
        }
        else if ((kind == SourceKind.Git) != (request.Git is not null) || (kind == SourceKind.Website) != (request.Website is not null))
        {
            errors["kind"] = ["Give git settings for a git source, website settings for a website source, and neither for an upload source."];
        }
        SourceValidation.Settings(kind, request.Git, request.Website, request.Schedule, network, crawler.Value, errors);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var now = time.GetUtcNow();
        var source = new Source
        {
            Id = Guid.CreateVersion7(now),
            TenantId = tenant,
            LibraryVersionId = target.Id,
            LibraryVersion = target,
            Kind = kind!.Value,
            Git = request.Git is { } g ? SourceValidation.ToSettings(g) : null,
            Website = request.Website is { } w ? SourceValidation.ToSettings(w) : null,
            ProtectedToken = request.Git?.Token is { } token ? SecretBox.ProtectText(token, SecretBox.KeyFrom(options.Value.CredentialKey)) : null,
            Schedule = request.Schedule?.Trim(),
            NextRunAt = SourceScheduler.NextRun(request.Schedule?.Trim(), now),
            CreatedBy = http.User.GetSubject(),
            CreatedAt = now,
            UpdatedAt = now,
        };
        db.Sources.Add(source);
        Announce(db, source, target, "created", http, time);
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Created($"/api/v1/sources/{source.Id}", SourceResponse.From(source, target));
    }

    internal static async Task<Ok<Page<SourceResponse>>> ListSourcesAsync(
        HttpContext http, DocumentsDbContext db, CancellationToken cancellationToken, Guid? libraryId = null, string? version = null, string? cursor = null)
    {
        var tenant = http.User.GetTenantId();
        var query = TenantSources(db, tenant).AsNoTracking();
        if (libraryId is { } library)
        {
            query = query.Where(s => s.LibraryVersion.LibraryId == library);
        }
        if (version is not null)
        {
            query = query.Where(s => s.LibraryVersion.Name == version);
        }
        if (Guid.TryParse(cursor, out var after))
        {
            query = query.Where(s => s.Id > after);
        }
        const int limit = 100;
        var page = await query.OrderBy(s => s.Id).Take(limit + 1).ToListAsync(cancellationToken);
        var items = page.Take(limit).Select(s => SourceResponse.From(s, s.LibraryVersion)).ToList();
        return TypedResults.Ok(new Page<SourceResponse>(items, page.Count > limit ? items[^1].Id.ToString() : null));
    }

    internal static async Task<Results<Ok<SourceResponse>, NotFound>> GetSourceAsync(
        Guid id, HttpContext http, DocumentsDbContext db, CancellationToken cancellationToken)
    {
        var source = await TenantSources(db, http.User.GetTenantId()).AsNoTracking().SingleOrDefaultAsync(s => s.Id == id, cancellationToken);
        return source is null ? TypedResults.NotFound() : TypedResults.Ok(SourceResponse.From(source, source.LibraryVersion));
    }

    internal static async Task<Results<Ok<SourceResponse>, NotFound, ValidationProblem>> UpdateSourceAsync(
        Guid id, UpdateSourceRequest request, HttpContext http, DocumentsDbContext db, GuardedNetwork network,
        IOptions<IngestionOptions> options, IOptions<CrawlerOptions> crawler, TimeProvider time, CancellationToken cancellationToken)
    {
        var source = await TenantSources(db, http.User.GetTenantId()).SingleOrDefaultAsync(s => s.Id == id, cancellationToken);
        if (source is null)
        {
            return TypedResults.NotFound();
        }
        var errors = new Dictionary<string, string[]>();
        if (request.Git is not null && source.Kind != SourceKind.Git)
        {
            errors["git"] = ["Only a git source has git settings."];
        }
        if (request.Website is not null && source.Kind != SourceKind.Website)
        {
            errors["website"] = ["Only a website source has website settings."];
        }
        SourceValidation.Settings(source.Kind, request.Git, request.Website, request.Schedule, network, crawler.Value, errors);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var now = time.GetUtcNow();
        if (request.Git is { } newGit)
        {
            var settings = SourceValidation.ToSettings(newGit);
            // Another repository or ref: the next refresh must not be skipped as "same commit".
            if (settings.Url != source.Git?.Url || settings.Ref != source.Git?.Ref || !settings.Include.SequenceEqual(source.Git?.Include ?? []) ||
                !settings.Exclude.SequenceEqual(source.Git?.Exclude ?? []))
            {
                source.LastCommit = null;
            }
            source.Git = settings;
            if (newGit.Token is { } token)
            {
                source.ProtectedToken = SecretBox.ProtectText(token, SecretBox.KeyFrom(options.Value.CredentialKey));
            }
        }
        if (request.RemoveToken)
        {
            source.ProtectedToken = null;
        }
        if (request.Website is { } newWebsite)
        {
            source.Website = SourceValidation.ToSettings(newWebsite);
        }
        if (request.Schedule is not null || request.RemoveSchedule)
        {
            source.Schedule = request.RemoveSchedule ? null : request.Schedule!.Trim();
            source.NextRunAt = SourceScheduler.NextRun(source.Schedule, now);
        }
        source.UpdatedAt = now;
        Announce(db, source, source.LibraryVersion, "updated", http, time);
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(SourceResponse.From(source, source.LibraryVersion));
    }

    internal static async Task<Results<NoContent, NotFound, ProblemHttpResult>> DeleteSourceAsync(
        Guid id, HttpContext http, DocumentsDbContext db, DocumentWriter writer, TimeProvider time, CancellationToken cancellationToken)
    {
        var source = await TenantSources(db, http.User.GetTenantId()).SingleOrDefaultAsync(s => s.Id == id, cancellationToken);
        if (source is null)
        {
            return TypedResults.NotFound();
        }
        if (await db.IngestionJobs.AnyAsync(j => j.SourceId == id && (j.State == IngestionJobState.Queued || j.State == IngestionJobState.Running), cancellationToken))
        {
            return Problems.Conflict("Jobs running", "The source has a queued or running ingestion job; cancel it first.");
        }
        var version = source.LibraryVersion;
        var target = (await VersionTarget.LoadAsync(db, version.Id, cancellationToken))!;
        await db.InTransactionAsync(async token =>
        {
            db.ChangeTracker.Clear();
            await writer.RemoveAsync(target, db.Documents.Where(d => d.SourceId == id), token);
            Announce(db, source, version, "deleted", http, time);
            await db.Sources.Where(s => s.Id == id).ExecuteDeleteAsync(token);
            await db.SaveChangesAsync(token);
        }, cancellationToken);
        return TypedResults.NoContent();
    }

    internal static async Task<Results<Accepted<JobResponse>, NotFound, ValidationProblem, ProblemHttpResult>> RefreshSourceAsync(
        Guid id, HttpContext http, DocumentsDbContext db, IngestionQueue queue, DocumentQuotas quotas, TimeProvider time, CancellationToken cancellationToken)
    {
        var source = await TenantSources(db, http.User.GetTenantId()).SingleOrDefaultAsync(s => s.Id == id, cancellationToken);
        if (source is null)
        {
            return TypedResults.NotFound();
        }
        if (source.Kind == SourceKind.Upload)
        {
            return TypedResults.ValidationProblem(Problems.One("id", "An upload source is refreshed by uploading to it."));
        }
        if (await quotas.RefuseIngestionAsync(source.TenantId, cancellationToken) is { } full)
        {
            return full;
        }
        // A refresh asked for while one waits is that one; a running job may predate the change, so another is queued.
        var waiting = await db.IngestionJobs.AsNoTracking().FirstOrDefaultAsync(j => j.SourceId == id && j.State == IngestionJobState.Queued, cancellationToken);
        if (waiting is not null)
        {
            db.AddAuditEvent(http, time, "source.refresh_requested", "source", source.Id.ToString(),
                details: new Dictionary<string, string> { ["jobId"] = waiting.Id.ToString(), ["merged"] = "true" });
            await db.SaveChangesAsync(cancellationToken);
            return TypedResults.Accepted($"/api/v1/jobs/{waiting.Id}", JobResponse.From(waiting));
        }
        var job = await queue.EnqueueAsync(source, IngestionTrigger.Manual, http.User.GetSubject(), isSnapshot: true, onlyKeys: null, cancellationToken);
        if (job is null)
        {
            return Problems.TooMany("The tenant has as many ingestion jobs waiting as it may; try again when some have run.");
        }
        IngestionQueue.Announce(db, job, (await VersionTarget.LoadAsync(db, source.LibraryVersionId, cancellationToken))!, time);
        db.AddAuditEvent(http, time, "source.refresh_requested", "source", source.Id.ToString(),
            details: new Dictionary<string, string> { ["jobId"] = job.Id.ToString() });
        await db.SaveChangesAsync(cancellationToken);
        queue.Wake();
        return TypedResults.Accepted($"/api/v1/jobs/{job.Id}", JobResponse.From(job));
    }

    internal static async Task<Results<Accepted<JobResponse>, NotFound, ValidationProblem, ProblemHttpResult>> UploadAsync(
        Guid id, HttpContext http, DocumentsDbContext db, IngestionQueue queue, IOptions<UploadLimits> uploads, DocumentQuotas quotas, TimeProvider time,
        CancellationToken cancellationToken)
    {
        var source = await TenantSources(db, http.User.GetTenantId()).SingleOrDefaultAsync(s => s.Id == id, cancellationToken);
        if (source is null)
        {
            return TypedResults.NotFound();
        }
        if (source.Kind != SourceKind.Upload)
        {
            return TypedResults.ValidationProblem(Problems.One("id", "Only an upload source takes uploads."));
        }
        if (await quotas.RefuseIngestionAsync(source.TenantId, cancellationToken) is { } full)
        {
            return full;
        }
        if (!http.Request.HasFormContentType)
        {
            return TypedResults.ValidationProblem(Problems.One("file", "Send multipart/form-data with one file."));
        }

        var limits = uploads.Value;
        IFormCollection form;
        try
        {
            form = await http.Request.ReadFormAsync(cancellationToken);
        }
        catch (BadHttpRequestException tooLarge) when (tooLarge.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return TypedResults.Problem(title: "Upload too large", detail: $"Uploads are limited to {limits.MaxArchiveBytes} bytes.",
                statusCode: StatusCodes.Status413PayloadTooLarge);
        }
        catch (Exception e) when (e is InvalidDataException or IOException or BadHttpRequestException)
        {
            return TypedResults.ValidationProblem(Problems.One("file", "The multipart body could not be read."));
        }
        if (form.Files is not [var file])
        {
            return TypedResults.ValidationProblem(Problems.One("file", "Send exactly one file."));
        }
        var fileName = Path.GetFileName(file.FileName ?? "").Trim();
        var isArchive = UploadReader.IsArchive(fileName);
        if (fileName.Length is 0 or > 255 || (!isArchive && ContentKinds.FromPath(fileName) is null))
        {
            return TypedResults.ValidationProblem(Problems.One("file", "Upload a .zip archive or a Markdown, MDX, HTML, text or reStructuredText file."));
        }
        var maxBytes = isArchive ? limits.MaxArchiveBytes : limits.MaxFileBytes;
        if (file.Length > maxBytes)
        {
            return TypedResults.ValidationProblem(Problems.One("file", $"The file is larger than {maxBytes} bytes."));
        }
        var content = new byte[file.Length];
        await using (var stream = file.OpenReadStream())
        {
            await stream.ReadExactlyAsync(content, cancellationToken);
        }
        if (isArchive)
        {
            using var archive = new MemoryStream(content, writable: false);
            var check = UploadArchive.Inspect(archive, limits);
            if (check.Problems.Count > 0)
            {
                return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["file"] = [.. check.Problems] });
            }
        }
        else if (UploadReader.Decode(content) is null)
        {
            return TypedResults.ValidationProblem(Problems.One("file", "The file is not UTF-8 text."));
        }

        // An archive is the whole source: what it lacks is removed. A single file adds to it.
        var job = await queue.EnqueueAsync(source, IngestionTrigger.Upload, http.User.GetSubject(), isSnapshot: isArchive, onlyKeys: null, cancellationToken);
        if (job is null)
        {
            return Problems.TooMany("The tenant has as many ingestion jobs waiting as it may; try again when some have run.");
        }
        db.StagedUploads.Add(new StagedUpload { JobId = job.Id, FileName = fileName, Content = content });
        IngestionQueue.Announce(db, job, (await VersionTarget.LoadAsync(db, source.LibraryVersionId, cancellationToken))!, time);
        db.AddAuditEvent(http, time, "source.uploaded", "source", source.Id.ToString(), details: new Dictionary<string, string>
        {
            ["jobId"] = job.Id.ToString(),
            ["file"] = fileName,
            ["bytes"] = content.Length.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        await db.SaveChangesAsync(cancellationToken);
        queue.Wake();
        return TypedResults.Accepted($"/api/v1/jobs/{job.Id}", JobResponse.From(job));
    }

    internal static async Task<Results<Created<DocumentResponse>, Ok<DocumentResponse>, NotFound, ValidationProblem, ProblemHttpResult>> StoreDocumentAsync(
        Guid id, StoreDocumentRequest request, HttpContext http, DocumentsDbContext db, DocumentWriter writer, TimeProvider time, CancellationToken cancellationToken)
    {
        var source = await TenantSources(db, http.User.GetTenantId()).AsNoTracking().SingleOrDefaultAsync(s => s.Id == id, cancellationToken);
        if (source is null)
        {
            return TypedResults.NotFound();
        }

        var errors = new Dictionary<string, string[]>();
        var path = request.Path?.Trim().Replace('\\', '/');
        if (source.Kind != SourceKind.Upload)
        {
            errors["id"] = ["Documents are stored directly only in upload sources."];
        }
        if (string.IsNullOrEmpty(path) || path.Length > 1000 || path.StartsWith('/') || path.Split('/').Any(s => s is "" or "." or "..") || path.Any(char.IsControl))
        {
            errors["path"] = ["A relative path of at most 1,000 characters, without empty, '.' or '..' segments."];
        }
        ContentKind? kind = request.Format?.Trim().ToLowerInvariant() switch
        {
            null or "" => path is null ? null : ContentKinds.FromPath(path) ?? ContentKind.Markdown,
            "markdown" or "md" => ContentKind.Markdown,
            "mdx" => ContentKind.Mdx,
            "html" => ContentKind.Html,
            "text" or "txt" => ContentKind.PlainText,
            "rst" or "restructuredtext" => ContentKind.ReStructuredText,
            _ => null,
        };
        if (kind is null && request.Format is not null)
        {
            errors["format"] = ["The format is markdown, mdx, html, text or rst."];
        }
        if (string.IsNullOrWhiteSpace(request.Content))
        {
            errors["content"] = ["Content is required."];
        }
        else if (request.Content.Length > Document.ContentMaxLength)
        {
            errors["content"] = [$"The content is longer than {Document.ContentMaxLength} characters."];
        }
        if (request.Title is { Length: > Document.TitleMaxLength })
        {
            errors["title"] = [$"The title is longer than {Document.TitleMaxLength} characters."];
        }
        if (request.Url is not null && (request.Url.Length > Document.SourceUrlMaxLength || !Uri.TryCreate(request.Url, UriKind.Absolute, out var url) ||
            (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps)))
        {
            errors["url"] = ["An absolute http or https URL of at most 2,048 characters."];
        }
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var normalised = DocumentNormaliser.Normalise(request.Content!, kind!.Value, Path.GetFileNameWithoutExtension(path!),
            request.Url is null ? null : new Uri(request.Url));
        if (string.IsNullOrWhiteSpace(normalised.Markdown))
        {
            return TypedResults.ValidationProblem(Problems.One("content", "No text is left after conversion to Markdown."));
        }
        var title = string.IsNullOrWhiteSpace(request.Title) ? normalised.Title : request.Title.Trim();
        if (title.Length > Document.TitleMaxLength)
        {
            title = title[..Document.TitleMaxLength];
        }

        var target = (await VersionTarget.LoadAsync(db, source.LibraryVersionId, cancellationToken))!;
        WriteOutcome outcome;
        Document document;
        try
        {
            (outcome, document) = await db.InTransactionAsync(async token =>
            {
                db.ChangeTracker.Clear();
                writer.StartOver();
                var written = await writer.WriteAsync(target, source.Id,
                    new DocumentContent(path!, title, normalised.Markdown, normalised.ContentHash, request.Url), token);
                db.AddAuditEvent(http, time, written.Outcome == WriteOutcome.Created ? "document.created" : "document.updated", "document",
                    written.Document.Id.ToString(), details: new Dictionary<string, string> { ["sourceId"] = source.Id.ToString(), ["path"] = path! });
                await db.SaveChangesAsync(token);
                return written;
            }, cancellationToken);
        }
        catch (QuotaExceededException refused)
        {
            return refused.Problem;
        }
        catch (DbUpdateException)
        {
            // Another request created the same path at the same moment; nothing of this one was saved.
            return Problems.Conflict("Concurrent write", $"'{path}' was written by another request at the same time; send it again.");
        }

        var response = DocumentResponse.From(document, includeContent: false);
        return outcome == WriteOutcome.Created
            ? TypedResults.Created($"/api/v1/documents/{document.Id}", response)
            : TypedResults.Ok(response);
    }

    private static void Announce(DocumentsDbContext db, Source source, LibraryVersion version, string change, HttpContext http, TimeProvider time)
    {
        db.AddIntegrationEvent(new SourceChanged(
            source.Id, source.TenantId, version.LibraryId, version.Name, source.Kind.ToString().ToLowerInvariant(), source.Location,
            change, http.User.GetSubject(), time.GetUtcNow()), time);
        db.AddAuditEvent(http, time, $"source.{change}", "source", source.Id.ToString(), details: new Dictionary<string, string>
        {
            ["kind"] = source.Kind.ToString().ToLowerInvariant(),
            ["libraryId"] = version.LibraryId.ToString(),
            ["version"] = version.Name,
        });
    }
}
