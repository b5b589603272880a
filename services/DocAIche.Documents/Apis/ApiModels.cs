using DocAIche.Documents.Model;
using Microsoft.AspNetCore.Http.HttpResults;

namespace DocAIche.Documents.Apis;

/// <summary>A library and its versions.</summary>
/// <param name="Id">The library's id.</param>
/// <param name="Name">Unique name in its tenant.</param>
/// <param name="Description">What it is.</param>
/// <param name="Shared">Readable by every tenant.</param>
/// <param name="Owned">Whether the caller's tenant owns it (only the owner changes it).</param>
/// <param name="DefaultVersion">The version used when none is given.</param>
/// <param name="Versions">Its versions, oldest first.</param>
/// <param name="CreatedAt">When it was created.</param>
/// <param name="UpdatedAt">When it last changed.</param>
public sealed record LibraryResponse(
    Guid Id, string Name, string? Description, bool Shared, bool Owned, string? DefaultVersion, IReadOnlyList<string> Versions,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    internal static LibraryResponse From(Library library, string tenant) => new(
        library.Id, library.Name, library.Description, library.Shared, library.TenantId == tenant, library.DefaultVersion,
        library.Versions.OrderBy(v => v.CreatedAt).ThenBy(v => v.Name, StringComparer.Ordinal).Select(v => v.Name).ToList(), library.CreatedAt, library.UpdatedAt);
}

/// <summary>A page of results; pass <c>nextCursor</c> as <c>cursor</c> for the next.</summary>
public sealed record Page<T>(IReadOnlyList<T> Items, string? NextCursor);

/// <summary>Git repository settings as the API shows them (the token only as <c>hasToken</c>).</summary>
public sealed record GitSettingsResponse(string Url, string? Ref, IReadOnlyList<string> Include, IReadOnlyList<string> Exclude, bool HasToken);

/// <summary>A source of a library version.</summary>
public sealed record SourceResponse(
    Guid Id, Guid LibraryId, string Library, string Version, string Kind, GitSettingsResponse? Git, WebsiteSettings? Website,
    string? Schedule, DateTimeOffset? NextRunAt, string? LastCommit, DateTimeOffset? LastIngestedAt, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    internal static SourceResponse From(Source source, LibraryVersion version) => new(
        source.Id, version.LibraryId, version.Library.Name, version.Name, source.Kind.ToString().ToLowerInvariant(),
        source.Git is { } git ? new GitSettingsResponse(git.Url, git.Ref, git.Include, git.Exclude, source.ProtectedToken is not null) : null,
        source.Website, source.Schedule, source.NextRunAt, source.LastCommit, source.LastIngestedAt, source.CreatedAt, source.UpdatedAt);
}

/// <summary>An ingestion job: its state and counters.</summary>
public sealed record JobResponse(
    Guid Id, Guid SourceId, string State, string Trigger, string RequestedBy, Guid? RetryOf,
    int Discovered, int Fetched, int Processed, int Skipped, int Failed, int Chunks, int DocumentsChanged, int DocumentsRemoved,
    string? Commit, string? Error, string? Note, bool CancelRequested,
    DateTimeOffset CreatedAt, DateTimeOffset? StartedAt, DateTimeOffset? FinishedAt)
{
    internal static JobResponse From(IngestionJob job) => new(
        job.Id, job.SourceId, job.State.ToString().ToLowerInvariant(), job.Trigger.ToString().ToLowerInvariant(), job.RequestedBy, job.RetryOfJobId,
        job.Discovered, job.Fetched, job.Processed, job.Skipped, job.Failed, job.Chunks, job.DocumentsChanged, job.DocumentsRemoved,
        job.Commit, job.Error, job.Note, job.CancelRequested, job.CreatedAt, job.StartedAt, job.FinishedAt);
}

/// <summary>An item a job could not read or process.</summary>
public sealed record JobErrorResponse(string Key, string? Url, string Error, DateTimeOffset At);

/// <summary>A stored document; <c>content</c> only when one document is asked for.</summary>
public sealed record DocumentResponse(
    Guid Id, Guid LibraryId, Guid SourceId, string Key, string Title, string? SourceUrl, string ContentHash, int Revision,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, string? Content)
{
    internal static DocumentResponse From(Document document, bool includeContent) => new(
        document.Id, document.LibraryId, document.SourceId, document.Key, document.Title, document.SourceUrl, document.ContentHash, document.Revision,
        document.CreatedAt, document.UpdatedAt, includeContent ? document.Content : null);
}

/// <summary>A chunk of a document.</summary>
public sealed record ChunkResponse(Guid Id, int Ordinal, string Breadcrumb, string? Url, IReadOnlyList<string> Languages, string Content, string ContentHash);

internal static class Problems
{
    public static ProblemHttpResult Conflict(string title, string detail) =>
        TypedResults.Problem(title: title, detail: detail, statusCode: StatusCodes.Status409Conflict);

    public static ProblemHttpResult TooMany(string detail) =>
        TypedResults.Problem(title: "Too many jobs", detail: detail, statusCode: StatusCodes.Status429TooManyRequests);

    public static Dictionary<string, string[]> One(string field, string message) => new() { [field] = [message] };

    /// <summary>Cursors are ids this API returned.</summary>
    public static bool TryCursor(string? cursor, out Guid? after)
    {
        after = null;
        if (string.IsNullOrEmpty(cursor))
        {
            return true;
        }
        if (Guid.TryParse(cursor, out var parsed))
        {
            after = parsed;
            return true;
        }
        return false;
    }
}
