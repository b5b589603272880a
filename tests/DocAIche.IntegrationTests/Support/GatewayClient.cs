using System.Net.Http.Json;
using System.Text.Json;

namespace DocAIche.IntegrationTests.Support;

public sealed record StoredDocument(Guid Id, Guid LibraryId, Guid SourceId, string Key, string Title, string ContentHash, int Revision, string? SourceUrl);

public sealed record Library(Guid Id, string Name, List<string> Versions, bool Shared, bool Owned, string? DefaultVersion);

public sealed record Source(Guid Id, string Kind, string Version, string? LastCommit);

public sealed record Job(
    Guid Id, Guid SourceId, string State, int Discovered, int Fetched, int Processed, int Skipped, int Failed, int Chunks,
    int DocumentsChanged, int DocumentsRemoved, string? Commit, string? Error, string? Note);

public sealed record JobError(string Key, string? Url, string Error);

public sealed record Chunk(Guid Id, int Ordinal, string Breadcrumb, string? Url, List<string> Languages, string Content);

public sealed record Page<T>(List<T> Items, string? NextCursor);

public sealed record SearchHit(
    Guid DocumentId, Guid ChunkId, Guid LibraryId, string Library, string Version, string Title, string Breadcrumb, string? Url,
    string Snippet, string Content, double Score, int Tokens, bool Truncated);

public sealed record SearchResponse(string Query, string? Library, string? Version, List<string> Methods, List<SearchHit> Results, int Tokens, string? NextCursor);

public sealed record AuditRecord(long Id, string Action, string TargetType, string TargetId, string Actor, string Outcome);

public sealed record AuditRecordPage(List<AuditRecord> Items, string? NextCursor);

/// <summary>The gateway's REST API as a client program uses it.</summary>
public static class GatewayClient
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Stores one Markdown document in a new library (version "1") through an upload source.</summary>
    public static async Task<StoredDocument> StoreDocumentAsync(this HttpClient gateway, string title, string content)
    {
        var library = await gateway.CreateLibraryAsync(UniqueWord("lib"), ["1"]);
        var source = await gateway.CreateSourceAsync(library.Id, "1", new { kind = "upload" });
        return await gateway.StoreDocumentAsync(source.Id, "document.md", content, title);
    }

    public static async Task<StoredDocument> StoreDocumentAsync(this HttpClient gateway, Guid sourceId, string path, string content, string? title = null)
    {
        using var response = await gateway.PostAsJsonAsync($"/api/v1/sources/{sourceId}/documents", new { path, title, content });
        Assert.True(response.IsSuccessStatusCode, $"Storing {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<StoredDocument>(Json))!;
    }

    public static async Task<Library> CreateLibraryAsync(this HttpClient gateway, string name, string[] versions, bool shared = false)
    {
        using var response = await gateway.PostAsJsonAsync("/api/v1/libraries", new { name, versions, shared });
        Assert.True(response.StatusCode == System.Net.HttpStatusCode.Created, $"Creating library {name}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<Library>(Json))!;
    }

    public static async Task<Source> CreateSourceAsync(this HttpClient gateway, Guid libraryId, string version, object request)
    {
        using var response = await gateway.PostAsJsonAsync($"/api/v1/libraries/{libraryId}/versions/{version}/sources", request);
        Assert.True(response.StatusCode == System.Net.HttpStatusCode.Created, $"Creating a source: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<Source>(Json))!;
    }

    public static async Task<Job> RefreshAsync(this HttpClient gateway, Guid sourceId)
    {
        using var response = await gateway.PostAsync($"/api/v1/sources/{sourceId}/refresh", null);
        Assert.True(response.StatusCode == System.Net.HttpStatusCode.Accepted, $"Refreshing: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<Job>(Json))!;
    }

    public static async Task<Job> JobAsync(this HttpClient gateway, Guid jobId) =>
        (await gateway.GetFromJsonAsync<Job>($"/api/v1/jobs/{jobId}", Json))!;

    /// <summary>Waits until the job has ended, whichever way.</summary>
    public static Task<Job> FinishedJobAsync(this HttpClient gateway, Guid jobId) =>
        Eventually.Async(() => gateway.JobAsync(jobId), j => j.State is "succeeded" or "failed" or "cancelled", TimeSpan.FromSeconds(120), $"job {jobId} to end");

    /// <summary>Waits for the job to end and fails the test, with the job's account, unless it succeeded.</summary>
    public static async Task<Job> SucceededJobAsync(this HttpClient gateway, Guid jobId)
    {
        var job = await gateway.FinishedJobAsync(jobId);
        Assert.True(job.State == "succeeded", $"The job ended {job.State}: {JsonSerializer.Serialize(job)}");
        return job;
    }

    public static async Task<List<JobError>> JobErrorsAsync(this HttpClient gateway, Guid jobId) =>
        (await gateway.GetFromJsonAsync<Page<JobError>>($"/api/v1/jobs/{jobId}/errors", Json))!.Items;

    public static async Task<List<StoredDocument>> DocumentsAsync(this HttpClient gateway, Guid libraryId, string version)
    {
        var all = new List<StoredDocument>();
        string? cursor = null;
        do
        {
            var page = (await gateway.GetFromJsonAsync<Page<StoredDocument>>(
                $"/api/v1/documents?libraryId={libraryId}&version={version}&limit=100{(cursor is null ? "" : $"&cursor={cursor}")}", Json))!;
            all.AddRange(page.Items);
            cursor = page.NextCursor;
        }
        while (cursor is not null);
        return all;
    }

    public static async Task<List<Chunk>> ChunksAsync(this HttpClient gateway, Guid documentId) =>
        (await gateway.GetFromJsonAsync<List<Chunk>>($"/api/v1/documents/{documentId}/chunks", Json))!;

    /// <summary>
    /// The hits that contain <paramref name="query"/>, a word made up by <see cref="UniqueWord"/>: hybrid
    /// search also returns the chunks nearest in meaning, which for a made-up word are unrelated pages.
    /// </summary>
    public static async Task<SearchResponse> SearchAsync(this HttpClient gateway, string query, int limit = 10)
    {
        var found = (await gateway.GetFromJsonAsync<SearchResponse>($"/api/v1/search?q={Uri.EscapeDataString(query)}&limit={limit}", Json))!;
        return found with { Results = [.. found.Results.Where(h => h.Content.Contains(query, StringComparison.OrdinalIgnoreCase))] };
    }

    public static async Task<List<AuditRecord>> AuditRecordsForAsync(this HttpClient gateway, Guid targetId) =>
        (await gateway.GetFromJsonAsync<AuditRecordPage>($"/api/v1/audit/records?target={targetId}", Json))!.Items;

    /// <summary>A word no document contains by accident, so a test finds only its own documents.</summary>
    public static string UniqueWord(string prefix) => $"{prefix}{Guid.NewGuid():N}"[..(prefix.Length + 12)];
}
