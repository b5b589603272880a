using System.Net.Http.Json;
using DocAIche.IntegrationTests.Support;
using Xunit.Abstractions;

namespace DocAIche.IntegrationTests;

/// <summary>
/// Search quality on real documentation (Fixtures/RealDocs: pages of the React, FastAPI, Vite and
/// Python docs with 40 judged questions; see its ATTRIBUTION.md), stored page by page through the
/// gateway as a user would. Rank thresholds, never timings: a change that makes ranking worse fails
/// here. The full judged set (161 questions over 821 pages) is measured by tests/DocAIche.RelevanceBenchmark.
/// </summary>
[Collection(DocAIcheCollection.Name)]
public sealed class RealDocsRelevanceTests(DocAIcheFixture docaiche, ITestOutputHelper output)
{
    private static string Folder => Path.Combine(AppContext.BaseDirectory, "Fixtures", "RealDocs");

    [Fact]
    public async Task Judged_questions_find_their_pages_with_their_library_and_without_one()
    {
        var corpus = JudgedCorpus.Load(Folder, "questions.json");
        using var owner = docaiche.CreateClient(await docaiche.NewTenantOwnerTokenAsync());
        await corpus.StoreAsync(owner, "");
        var libraries = corpus.Libraries.ToList();
        await Eventually.Async(
            () => owner.GetFromJsonAsync<IndexStatus>("/api/v1/search/status", GatewayClient.Json)!,
            s => s!.Libraries.Count == libraries.Count && s.Libraries.All(l => l.Chunks > 0 && l.Waiting == 0 && l.TermsCountedOver == l.Chunks),
            TimeSpan.FromMinutes(10), "every chunk of the real documentation to be indexed, embedded and counted");

        var scores = new List<QuestionScore>();
        foreach (var question in corpus.Questions)
        {
            foreach (var filtered in new[] { true, false })
            {
                var url = $"/api/v1/search?q={Uri.EscapeDataString(question.Query)}&limit=10" + (filtered ? $"&library={question.Library}" : "");
                var found = await owner.GetFromJsonAsync<SearchResponse>(url, GatewayClient.Json);
                scores.Add(corpus.Score(question, filtered, found!.Results.Select(r => (r.Library, r.Url))));
            }
        }

        var withLibrary = RelevanceSummary.Of([.. scores.Where(s => s.Filtered)]);
        var withoutLibrary = RelevanceSummary.Of([.. scores.Where(s => !s.Filtered)]);
        var naming = RelevanceSummary.Of([.. scores.Where(s => !s.Filtered && s.Question.NamesLibrary)]);
        output.WriteLine($"with the library: {withLibrary}");
        output.WriteLine($"without a library: {withoutLibrary}; of those naming their library: {naming}");
        foreach (var miss in scores.Where(s => s.FirstAnswerRank != 1))
        {
            output.WriteLine($"[{(miss.Filtered ? "lib" : "all")}] {miss.Question.Id} '{miss.Question.Query}': rank {miss.FirstAnswerRank?.ToString() ?? "-"}; got {string.Join(" | ", miss.Top5)}");
        }

        Assert.True(withLibrary.Mrr >= WithLibraryMrr && withLibrary.HitAt5 >= WithLibraryHitAt5 && withLibrary.NdcgAt5 >= WithLibraryNdcgAt5,
            $"with the library: {withLibrary}");
        Assert.True(withoutLibrary.Mrr >= WithoutLibraryMrr, $"without a library: {withoutLibrary}");
        // A question naming its library is answered from it.
        Assert.True(naming.HitAt5 >= 0.9, $"naming their library: {naming}");
    }

    // Measured on this set when the thresholds were set: MRR 0.975, Hit@5 1.000, nDCG@5 0.964 with the
    // library, MRR 0.975 without. The floors are a little below (three questions slipping from rank 1
    // to 2 cost about 0.04), so a real regression fails and a tie broken the other way does not.
    private const double WithLibraryMrr = 0.93;
    private const double WithLibraryHitAt5 = 0.975;
    private const double WithLibraryNdcgAt5 = 0.92;
    private const double WithoutLibraryMrr = 0.93;
}
