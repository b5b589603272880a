using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace DocAIche.IntegrationTests.Support;

/// <summary>A page of a judged real-documentation corpus, as its manifest lists it.</summary>
public sealed record CorpusPage(string Library, string Path, string Url, string Format);

/// <summary>A page judged for a question: grade 2 answers it, grade 1 helps.</summary>
public sealed record JudgedPage(string Path, int Grade);

/// <summary>A question developers ask, with the pages that answer it in its library.</summary>
public sealed record JudgedQuestion(
    string Id, string Query, string Library, string Kind, [property: JsonPropertyName("names_library")] bool NamesLibrary, List<JudgedPage> Relevant);

/// <summary>How one search did: the rank of its first answering page (grade 2) within 10, and nDCG over the top 5.</summary>
public sealed record QuestionScore(JudgedQuestion Question, bool Filtered, int? FirstAnswerRank, double NdcgAt5, IReadOnlyList<string> Top5)
{
    public double ReciprocalRank => FirstAnswerRank is { } rank ? 1.0 / rank : 0;

    public bool HitAt5 => FirstAnswerRank is <= 5;
}

/// <summary>The mean of each metric over a set of searches.</summary>
public sealed record RelevanceSummary(int Questions, double Mrr, double HitAt5, double NdcgAt5)
{
    public static RelevanceSummary Of(IReadOnlyCollection<QuestionScore> scores) => scores.Count == 0
        ? new RelevanceSummary(0, 0, 0, 0)
        : new RelevanceSummary(scores.Count, scores.Average(s => s.ReciprocalRank), scores.Average(s => s.HitAt5 ? 1.0 : 0.0), scores.Average(s => s.NdcgAt5));

    public override string ToString() => $"MRR {Mrr:0.000}, Hit@5 {HitAt5:0.000}, nDCG@5 {NdcgAt5:0.000} ({Questions} questions)";
}

/// <summary>
/// A judged corpus of real documentation (a folder with <c>manifest.json</c>, one folder per
/// library, and judged questions): stored page by page through the gateway as a user would
/// (<c>POST /sources/{id}/documents</c> with each page's public URL), then searched and scored with
/// the standard measures (MRR@10, Hit@5, nDCG@5 with gains 2^grade - 1). Shared by the relevance
/// tests and the relevance benchmark.
/// </summary>
public sealed class JudgedCorpus
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public required string Folder { get; init; }

    public required IReadOnlyList<CorpusPage> Pages { get; init; }

    public required IReadOnlyList<JudgedQuestion> Questions { get; init; }

    public IEnumerable<string> Libraries => Pages.Select(p => p.Library).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);

    public static JudgedCorpus Load(string folder, string questionsFile)
    {
        var pages = JsonSerializer.Deserialize<List<CorpusPage>>(File.ReadAllText(Path.Combine(folder, "manifest.json")), Json)!;
        var questions = JsonSerializer.Deserialize<List<JudgedQuestion>>(File.ReadAllText(Path.Combine(folder, questionsFile)), Json)!;
        var known = pages.Select(p => (p.Library, p.Path)).ToHashSet();
        var unknown = questions.SelectMany(q => q.Relevant.Where(r => !known.Contains((q.Library, r.Path))).Select(r => $"{q.Id}: {q.Library}/{r.Path}")).ToList();
        if (unknown.Count > 0)
        {
            throw new InvalidOperationException($"Judged pages missing from the manifest: {string.Join(", ", unknown)}");
        }

        return new JudgedCorpus { Folder = folder, Pages = pages, Questions = questions };
    }

    /// <summary>
    /// Creates each library (version "latest") with an upload source and stores every page in it (a
    /// page with no text, such as a site's landing page, is refused and left out); returns the library
    /// ids by name.
    /// </summary>
    public async Task<Dictionary<string, Guid>> StoreAsync(
        HttpClient owner, string libraryPrefix, IReadOnlyCollection<string>? only = null, Action<string>? progress = null, CancellationToken cancellationToken = default)
    {
        var ids = new Dictionary<string, Guid>(StringComparer.Ordinal);
        foreach (var library in Libraries.Where(l => only is null || only.Contains(l)))
        {
            var name = libraryPrefix + library;
            using var created = await owner.PostAsJsonAsync("/api/v1/libraries", new { name, versions = new[] { "latest" }, shared = false }, cancellationToken);
            await EnsureSuccessAsync(created, $"creating library {name}");
            var id = (await created.Content.ReadFromJsonAsync<IdOnly>(Json, cancellationToken))!.Id;
            using var source = await owner.PostAsJsonAsync($"/api/v1/libraries/{id}/versions/latest/sources", new { kind = "upload" }, cancellationToken);
            await EnsureSuccessAsync(source, $"creating the source of {name}");
            var sourceId = (await source.Content.ReadFromJsonAsync<IdOnly>(Json, cancellationToken))!.Id;
            var pages = Pages.Where(p => p.Library == library).ToList();
            var empty = 0;
            await Parallel.ForEachAsync(pages, new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = cancellationToken }, async (page, token) =>
            {
                var content = await File.ReadAllTextAsync(Path.Combine(Folder, library, page.Path), token);
                using var stored = await owner.PostAsJsonAsync($"/api/v1/sources/{sourceId}/documents",
                    new { path = page.Path, content, format = page.Format, url = page.Url }, token);
                if (stored.StatusCode == System.Net.HttpStatusCode.BadRequest && (await stored.Content.ReadAsStringAsync(token)).Contains("No text is left", StringComparison.Ordinal))
                {
                    Interlocked.Increment(ref empty);
                    return;
                }

                await EnsureSuccessAsync(stored, $"storing {library}/{page.Path}");
            });
            progress?.Invoke($"stored {pages.Count - empty} pages of {name}" + (empty > 0 ? $" ({empty} without text refused)" : ""));
            ids[library] = id;
        }

        return ids;
    }

    /// <summary>Scores one search's results (pages in rank order, by URL without fragment).</summary>
    public QuestionScore Score(JudgedQuestion question, bool filtered, IEnumerable<(string Library, string? Url)> results)
    {
        var paths = Pages.ToLookup(p => (p.Library, Url: WithoutFragment(p.Url)), p => p.Path);
        var ranked = results.Take(10)
            .Select(r => r.Url is null ? null : paths[(r.Library, WithoutFragment(r.Url))].FirstOrDefault() is { } path ? $"{r.Library}/{path}" : null)
            .ToList();
        var grades = question.Relevant.ToDictionary(r => $"{question.Library}/{r.Path}", r => r.Grade, StringComparer.Ordinal);
        int? first = null;
        for (var i = 0; i < ranked.Count && first is null; i++)
        {
            if (ranked[i] is { } key && grades.GetValueOrDefault(key) == 2)
            {
                first = i + 1;
            }
        }

        static double Gain(int grade) => Math.Pow(2, grade) - 1;
        var dcg = ranked.Take(5).Select((key, i) => Gain(key is null ? 0 : grades.GetValueOrDefault(key)) / Math.Log2(i + 2)).Sum();
        var ideal = grades.Values.OrderDescending().Take(5).Select((grade, i) => Gain(grade) / Math.Log2(i + 2)).Sum();
        return new QuestionScore(question, filtered, first, ideal == 0 ? 0 : dcg / ideal, [.. ranked.Take(5).Select(k => k ?? "(other)")]);
    }

    private static string WithoutFragment(string url)
    {
        var hash = url.IndexOf('#', StringComparison.Ordinal);
        return (hash < 0 ? url : url[..hash]).TrimEnd('/');
    }

    private static async Task EnsureSuccessAsync(HttpResponseMessage response, string what)
    {
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"{what}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
    }

    private sealed record IdOnly(Guid Id);
}
