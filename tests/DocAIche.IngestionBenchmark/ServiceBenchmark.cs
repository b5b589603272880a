using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using DocAIche.IntegrationTests.Support;

/// <summary>The corpus through a running DocAIche: one full ingestion job, then an incremental one.</summary>
internal static class ServiceBenchmark
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static async Task<int> RunAsync(TestRepository repository, List<(string Path, string Text)> corpus)
    {
        var gateway = new Uri(Environment.GetEnvironmentVariable("DOCAICHE_GATEWAY") ?? "http://127.0.0.1:8080");
        if (!gateway.IsLoopback)
        {
            Console.Error.WriteLine("The benchmark only runs against a gateway on loopback.");
            return 2;
        }
        var email = Environment.GetEnvironmentVariable("DOCAICHE_BOOTSTRAP_EMAIL") ?? "owner@docaiche.local";
        var password = Environment.GetEnvironmentVariable("DOCAICHE_BOOTSTRAP_PASSWORD")
            ?? File.ReadAllText(Path.Combine(Environment.GetEnvironmentVariable("DOCAICHE_DATA") ?? "/var/lib/docaiche", "secrets", "bootstrap-password")).Trim();
        var owner = await OidcTestClient.SignInAsync(gateway, email, password);
        using var api = new HttpClient { BaseAddress = gateway, Timeout = TimeSpan.FromMinutes(2) };
        api.DefaultRequestHeaders.Authorization = new("Bearer", owner.AccessToken);

        var name = $"bench-{Guid.NewGuid():N}"[..18];
        var library = await PostAsync(api, "/api/v1/libraries", new { name, versions = new[] { "1" } });
        var source = await PostAsync(api, $"/api/v1/libraries/{library.GetProperty("id").GetGuid()}/versions/1/sources",
            new { kind = "git", git = new { url = repository.Url.ToString(), @ref = "main" } });
        var sourceId = source.GetProperty("id").GetGuid();
        var documentsBefore = DocumentsServiceMemory();

        await RunJobAsync(api, sourceId, "service job, full corpus", corpus.Count);

        // 1% of the files change: only they are processed and sent downstream.
        var changed = corpus.Where((_, i) => i % 100 == 0).ToList();
        foreach (var (path, text) in changed)
        {
            repository.Write(path, text + "\n\nAn added paragraph about a changed option.\n");
        }
        await repository.PublishAsync("1% changed");
        await RunJobAsync(api, sourceId, $"service job, {changed.Count} files changed", changed.Count);

        var documentsAfter = DocumentsServiceMemory();
        Console.WriteLine($"documents service: resident {documentsBefore.Rss / 1024.0:0} MiB before, {documentsAfter.Rss / 1024.0:0} MiB after, " +
            $"peak {documentsAfter.Peak / 1024.0:0} MiB (VmHWM)");
        return 0;
    }

    private static async Task RunJobAsync(HttpClient api, Guid sourceId, string name, int expectedChanges)
    {
        var clock = Stopwatch.StartNew();
        var job = await PostAsync(api, $"/api/v1/sources/{sourceId}/refresh", null);
        var id = job.GetProperty("id").GetGuid();
        JsonElement state;
        while (true)
        {
            state = await api.GetFromJsonAsync<JsonElement>($"/api/v1/jobs/{id}", Json);
            if (state.GetProperty("state").GetString() is "succeeded" or "failed" or "cancelled")
            {
                break;
            }
            await Task.Delay(100);
        }
        clock.Stop();
        var seconds = clock.Elapsed.TotalSeconds;
        var documents = state.GetProperty("fetched").GetInt32();
        var chunks = state.GetProperty("chunks").GetInt32();
        Console.WriteLine($"{name,-48} {state.GetProperty("state").GetString()}: {documents} read, {state.GetProperty("documentsChanged").GetInt32()} changed " +
            $"(expected {expectedChanges}), {chunks} chunks in {seconds:0.00} s = {documents / seconds:0} documents/s read, " +
            $"{state.GetProperty("processed").GetInt32() / seconds:0} changed documents/s, {chunks / seconds:0} chunks/s");
    }

    private static async Task<JsonElement> PostAsync(HttpClient api, string path, object? body)
    {
        using var response = body is null ? await api.PostAsync(path, null) : await api.PostAsJsonAsync(path, body);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"POST {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
        return await response.Content.ReadFromJsonAsync<JsonElement>(Json);
    }

    /// <summary>Resident and peak memory (KiB) of the documents service process, from /proc.</summary>
    private static (long Rss, long Peak) DocumentsServiceMemory()
    {
        foreach (var process in Process.GetProcesses())
        {
            try
            {
                var cmdline = File.ReadAllText($"/proc/{process.Id}/cmdline");
                if (!cmdline.Contains("DocAIche.Documents", StringComparison.Ordinal) || cmdline.Contains("IngestionBenchmark", StringComparison.Ordinal) ||
                    cmdline.Contains("--project", StringComparison.Ordinal))
                {
                    continue;
                }
                var status = File.ReadAllLines($"/proc/{process.Id}/status");
                long Value(string key) => long.Parse(status.First(l => l.StartsWith(key, StringComparison.Ordinal)).Split(':')[1].Trim().Split(' ')[0],
                    System.Globalization.CultureInfo.InvariantCulture);
                return (Value("VmRSS"), Value("VmHWM"));
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
            finally
            {
                process.Dispose();
            }
        }
        return (0, 0);
    }
}
