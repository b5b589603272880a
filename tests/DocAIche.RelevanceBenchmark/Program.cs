// Search quality on real documentation, measured as a user meets it: a judged corpus (a folder with
// manifest.json, one folder per library and a judged question set) is stored page by page through
// the gateway of a running DocAIche, and once every chunk is indexed and embedded each question is
// searched with its library and without one. Prints MRR@10, Hit@5 and nDCG@5 overall, by kind and
// by library, and the misses. Only loopback is contacted.
//
//   dotnet run -c Release --project tests/DocAIche.RelevanceBenchmark -- --corpus DIR [--questions judged.json]
//       [--gateway http://127.0.0.1:8080] [--token-file /tmp/token] [--prefix ""] [--misses] [--store-only] [--search-only] [--only LIB,LIB]
// The token or API key (re-read before every request) belongs to a member of a tenant with no other libraries:
// searching without a library searches all of them.
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using DocAIche.IntegrationTests.Support;

CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;

string? Value(string name) => Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;
bool Flag(string name) => args.Contains(name);

var folder = Value("--corpus");
if (folder is null || !File.Exists(Path.Combine(folder, "manifest.json")))
{
    Console.Error.WriteLine("Give --corpus DIR, a folder with manifest.json (see the header of Program.cs).");
    return 2;
}

var questionsFile = Value("--questions") ?? (File.Exists(Path.Combine(folder, "questions.json")) ? "questions.json" : "judged.json");
var gateway = new Uri(Value("--gateway") ?? "http://127.0.0.1:8080");
var tokenFile = Value("--token-file") ?? "/tmp/token";
var prefix = Value("--prefix") ?? "";
var corpus = JudgedCorpus.Load(folder, questionsFile);
var json = new JsonSerializerOptions(JsonSerializerDefaults.Web);

using var http = new HttpClient(new TokenHandler(tokenFile) { InnerHandler = new SocketsHttpHandler() }) { BaseAddress = gateway, Timeout = TimeSpan.FromMinutes(2) };
Console.WriteLine($"# DocAIche relevance benchmark, {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC");
Console.WriteLine($"corpus {folder}: {corpus.Pages.Count} pages in {corpus.Libraries.Count()} libraries; {corpus.Questions.Count} questions ({questionsFile})");

if (!Flag("--search-only"))
{
    var clock = Stopwatch.StartNew();
    var only = Value("--only")?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    await corpus.StoreAsync(http, prefix, only, Console.WriteLine);
    Console.WriteLine($"stored in {clock.Elapsed.TotalSeconds:0.0} s; waiting until every chunk is indexed and embedded");
    var names = corpus.Libraries.Select(l => prefix + l).ToHashSet(StringComparer.Ordinal);
    var last = "";
    while (true)
    {
        await Task.Delay(TimeSpan.FromSeconds(10));
        var status = await http.GetFromJsonAsync<IndexStatus>("/api/v1/search/status", json);
        var ours = status!.Libraries.Where(l => names.Contains(l.Name)).ToList();
        var line = $"{clock.Elapsed.TotalSeconds:0} s: {ours.Count}/{names.Count} libraries indexed, {ours.Sum(l => l.Chunks):N0} chunks, {ours.Sum(l => l.Waiting):N0} waiting for a vector";
        if (line[line.IndexOf(':', StringComparison.Ordinal)..] != last)
        {
            Console.WriteLine(line);
            last = line[line.IndexOf(':', StringComparison.Ordinal)..];
        }

        // Stored pages reach search through events: wait for a count that stops growing, then for the embedder.
        if (ours.Count == names.Count && ours.All(l => l.Chunks > 0 && l.Waiting == 0))
        {
            await Task.Delay(TimeSpan.FromSeconds(5));
            var again = (await http.GetFromJsonAsync<IndexStatus>("/api/v1/search/status", json))!.Libraries.Where(l => names.Contains(l.Name)).ToList();
            if (again.Sum(l => l.Chunks) == ours.Sum(l => l.Chunks) && again.All(l => l.Waiting == 0))
            {
                Console.WriteLine($"indexed and embedded {again.Sum(l => l.Chunks):N0} chunks in {clock.Elapsed.TotalSeconds:0} s");
                break;
            }
        }
    }
}

if (Flag("--store-only"))
{
    return 0;
}

string SearchUrl(JudgedQuestion question, bool filtered) =>
    $"/api/v1/search?q={Uri.EscapeDataString(question.Query)}&limit=10" + (filtered ? $"&library={Uri.EscapeDataString(prefix + question.Library)}" : "");

var scores = new List<QuestionScore>();
var timings = new List<double>();
var steps = new Dictionary<string, List<double>>(StringComparer.Ordinal);
foreach (var question in corpus.Questions)
{
    foreach (var filtered in new[] { true, false })
    {
        var clock = Stopwatch.StartNew();
        using var response = await http.GetAsync(SearchUrl(question, filtered));
        timings.Add(clock.Elapsed.TotalMilliseconds);
        // The search service's own account of its time (Server-Timing: embed;dur=5.1, fulltext;dur=8.0, ...).
        foreach (var step in response.Headers.TryGetValues("Server-Timing", out var values) ? string.Join(',', values).Split(',') : [])
        {
            var parts = step.Trim().Split(";dur=");
            if (parts.Length == 2 && double.TryParse(parts[1], CultureInfo.InvariantCulture, out var milliseconds))
            {
                (steps.TryGetValue(parts[0], out var list) ? list : steps[parts[0]] = []).Add(milliseconds);
            }
        }

        if (!response.IsSuccessStatusCode)
        {
            Console.Error.WriteLine($"{question.Id}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            return 1;
        }

        var found = (await response.Content.ReadFromJsonAsync<FoundPages>(json))!;
        scores.Add(corpus.Score(question, filtered, found.Results.Select(r => (r.Library[prefix.Length..], r.Url))));
    }
}

void Print(string label, IEnumerable<QuestionScore> set) => Console.WriteLine($"  {label,-28} {RelevanceSummary.Of([.. set])}");
Console.WriteLine();
Console.WriteLine("## With the library filter");
Print("all", scores.Where(s => s.Filtered));
foreach (var kind in corpus.Questions.Select(q => q.Kind).Distinct().Order())
{
    Print($"kind {kind}", scores.Where(s => s.Filtered && s.Question.Kind == kind));
}

foreach (var library in corpus.Libraries)
{
    Print($"library {library}", scores.Where(s => s.Filtered && s.Question.Library == library));
}

Console.WriteLine("## Without a library");
Print("all", scores.Where(s => !s.Filtered));
Print("naming their library", scores.Where(s => !s.Filtered && s.Question.NamesLibrary));
Print("not naming it", scores.Where(s => !s.Filtered && !s.Question.NamesLibrary));
foreach (var kind in corpus.Questions.Select(q => q.Kind).Distinct().Order())
{
    Print($"kind {kind}", scores.Where(s => !s.Filtered && s.Question.Kind == kind));
}

var unfiltered = scores.Where(s => !s.Filtered).SelectMany(s => s.Top5).Where(k => k != "(other)").GroupBy(k => k[..k.IndexOf('/', StringComparison.Ordinal)]);
Console.WriteLine($"  share of the unfiltered top 5 by library: {string.Join(", ", unfiltered.Select(g => $"{g.Key} {g.Count()}"))}");
timings.Sort();
Console.WriteLine($"latency of these searches through the gateway (sequential, first time asked): p50 {timings[timings.Count / 2]:0.0} ms, p95 {timings[(int)(timings.Count * 0.95)]:0.0} ms");
foreach (var (step, list) in steps)
{
    list.Sort();
    Console.WriteLine($"  search service's {step,-10}: p50 {list[list.Count / 2],6:0.0} ms, p95 {list[(int)(list.Count * 0.95)],6:0.0} ms");
}

// The same searches again: now answered from the cache (Server-Timing: cache).
var cached = new List<double>();
var fromCache = 0;
foreach (var question in corpus.Questions)
{
    foreach (var filtered in new[] { true, false })
    {
        var clock = Stopwatch.StartNew();
        using var response = await http.GetAsync(SearchUrl(question, filtered));
        await response.Content.ReadAsByteArrayAsync();
        cached.Add(clock.Elapsed.TotalMilliseconds);
        fromCache += response.Headers.TryGetValues("Server-Timing", out var values) && values.Contains("cache") ? 1 : 0;
    }
}

cached.Sort();
Console.WriteLine($"the same searches again through the gateway, {fromCache} of {cached.Count} from the cache: p50 {cached[cached.Count / 2]:0.0} ms, p95 {cached[(int)(cached.Count * 0.95)]:0.0} ms");

if (Flag("--misses"))
{
    Console.WriteLine();
    Console.WriteLine("## Misses (first answer not at rank 1)");
    foreach (var score in scores.Where(s => s.FirstAnswerRank != 1))
    {
        var answers = string.Join(", ", score.Question.Relevant.Where(r => r.Grade == 2).Select(r => r.Path));
        Console.WriteLine($"- [{(score.Filtered ? "lib" : "all")}] {score.Question.Id} ({score.Question.Kind}) '{score.Question.Query}': rank {score.FirstAnswerRank?.ToString(CultureInfo.InvariantCulture) ?? "-"}; answer {answers}; got {string.Join(" | ", score.Top5)}");
    }
}

return 0;

internal sealed record FoundPage(string Library, string? Url);

internal sealed record FoundPages(List<FoundPage> Results);

internal sealed record LibraryIndexStatus(string Name, long Chunks, long Waiting);

internal sealed record IndexStatus(List<LibraryIndexStatus> Libraries);

/// <summary>Reads the bearer token (or an API key, dak_…) before every request, so a token refreshed while the benchmark waits is used.</summary>
internal sealed class TokenHandler(string tokenFile) : DelegatingHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var credential = File.ReadAllText(tokenFile).Trim();
        if (credential.StartsWith("dak_", StringComparison.Ordinal))
        {
            request.Headers.Add("X-Api-Key", credential);
        }
        else
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", credential);
        }

        return base.SendAsync(request, cancellationToken);
    }
}
