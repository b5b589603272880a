using System.IO.Compression;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace DocAIche.IntegrationTests.Support;

/// <summary>One relevance judgement: the page that answers the query.</summary>
public sealed record RelevanceQuery(string Query, string? Library, string? Version, string ExpectedTitle, string ExpectedLibrary, string ExpectedVersion);

public sealed record LibraryIndexStatus(Guid LibraryId, string Name, long Chunks, long Embedded, long Waiting, long TermsCountedOver = 0);

public sealed record IndexStatus(string Model, List<LibraryIndexStatus> Libraries);

/// <summary>
/// The fixture corpus (Fixtures/SearchCorpus: four libraries of real-looking documentation, two
/// versions of one) ingested once, through uploads, into a tenant of its own, and fully embedded.
/// </summary>
public sealed class SearchCorpus
{
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static SearchCorpus? ingested;

    public static string Folder => Path.Combine(AppContext.BaseDirectory, "Fixtures", "SearchCorpus");

    public required HttpClient Owner { get; init; }

    public required Dictionary<string, Library> Libraries { get; init; }

    public required List<RelevanceQuery> Queries { get; init; }

    public static async Task<SearchCorpus> IngestedAsync(DocAIcheFixture docaiche)
    {
        await Gate.WaitAsync();
        try
        {
            return ingested ??= await IngestAsync(docaiche);
        }
        finally
        {
            Gate.Release();
        }
    }

    private static async Task<SearchCorpus> IngestAsync(DocAIcheFixture docaiche)
    {
        var owner = docaiche.CreateClient(await docaiche.NewTenantOwnerTokenAsync());
        var libraries = new Dictionary<string, Library>();
        foreach (var folder in Directory.GetDirectories(Folder).Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileName(folder);
            var versions = Directory.GetDirectories(folder).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray();
            var library = await owner.CreateLibraryAsync(name, versions!);
            foreach (var version in versions)
            {
                var source = await owner.CreateSourceAsync(library.Id, version!, new { kind = "upload" });
                using var form = new MultipartFormDataContent();
                var file = new ByteArrayContent(Zip(Path.Combine(folder, version!)));
                file.Headers.ContentType = new MediaTypeHeaderValue("application/zip");
                form.Add(file, "file", $"{name}-{version}.zip");
                using var response = await owner.PostAsync($"/api/v1/sources/{source.Id}/uploads", form);
                Assert.True(response.IsSuccessStatusCode, $"Uploading {name} {version}: {await response.Content.ReadAsStringAsync()}");
                var job = (await response.Content.ReadFromJsonAsync<Job>(GatewayClient.Json))!;
                await owner.SucceededJobAsync(job.Id);
            }
            libraries[name] = library;
        }
        // The web framework's newest version is its default, as a maintainer would set it.
        using (var patch = await owner.PatchAsJsonAsync($"/api/v1/libraries/{libraries["larkspire"].Id}", new { defaultVersion = "2.x" }))
        {
            Assert.True(patch.IsSuccessStatusCode, await patch.Content.ReadAsStringAsync());
        }
        libraries["larkspire"] = libraries["larkspire"] with { DefaultVersion = "2.x" };

        await Eventually.Async(
            () => owner.GetFromJsonAsync<IndexStatus>("/api/v1/search/status", GatewayClient.Json)!,
            s => s!.Libraries.Count == libraries.Count && s.Libraries.All(l => l.Chunks > 0 && l.Waiting == 0),
            TimeSpan.FromMinutes(5), "every chunk of the corpus to be indexed and embedded");

        var queries = JsonSerializer.Deserialize<List<RelevanceQuery>>(await File.ReadAllTextAsync(Path.Combine(Folder, "queries.json")), GatewayClient.Json)!;
        return new SearchCorpus { Owner = owner, Libraries = libraries, Queries = queries };
    }

    private static byte[] Zip(string folder)
    {
        using var buffer = new MemoryStream();
        using (var archive = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var path in Directory.GetFiles(folder, "*.md", SearchOption.AllDirectories))
            {
                archive.CreateEntryFromFile(path, Path.GetRelativePath(folder, path).Replace('\\', '/'));
            }
        }
        return buffer.ToArray();
    }
}
