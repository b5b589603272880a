using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using DocAIche.IntegrationTests.Support;

namespace DocAIche.IntegrationTests;

/// <summary>Search usage as admins and operators read it, from the metering every search leaves.</summary>
[Collection(DocAIcheCollection.Name)]
public sealed class UsageTests(DocAIcheFixture docaiche)
{
    private static readonly TimeSpan MeteringTimeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Searches_are_counted_per_tenant_with_zero_result_queries_latency_and_tokens()
    {
        using var tenant = await TenantSession.StartAsync(docaiche);
        var word = GatewayClient.UniqueWord("zephyrine").ToLowerInvariant();
        var gap = GatewayClient.UniqueWord("nothingdocumented").ToLowerInvariant();
        var library = await tenant.Owner.CreateLibraryAsync(GatewayClient.UniqueWord("usage").ToLowerInvariant(), ["1"]);
        var source = await tenant.Owner.CreateSourceAsync(library.Id, "1", new { kind = "upload" });
        using (var stored = await tenant.Owner.PostAsJsonAsync($"/api/v1/sources/{source.Id}/documents",
            new { path = "guide.md", title = "Cache guide", content = $"# Cache guide\n\nThe {word} cache keeps answers close." }))
        {
            Assert.True(stored.IsSuccessStatusCode, await stored.Content.ReadAsStringAsync());
        }
        var answered = 0;
        await Eventually.Async(async () => { answered++; return (await tenant.Owner.SearchAsync(word)).Results.Count; }, n => n > 0,
            MeteringTimeout, "the stored page found");
        for (var i = 0; i < 2; i++)
        {
            Assert.Empty((await tenant.Owner.SearchAsync(gap)).Results);
        }

        var total = await Eventually.Async(
            async () => (await tenant.Owner.GetFromJsonAsync<JsonElement>("/api/v1/usage/searches?granularity=total")).GetProperty("rows"),
            rows => rows.GetArrayLength() == 1 && rows[0].GetProperty("searches").GetInt64() >= answered + 2, MeteringTimeout, "the searches metered");
        var row = total[0];
        Assert.True(row.GetProperty("zeroResultSearches").GetInt64() >= 2);
        Assert.True(row.GetProperty("tokensServed").GetInt64() > 0);
        Assert.True(row.GetProperty("p95Milliseconds").GetDouble() >= row.GetProperty("p50Milliseconds").GetDouble());
        Assert.Equal(JsonValueKind.Null, row.GetProperty("tenant").ValueKind);

        var bySubject = (await tenant.Owner.GetFromJsonAsync<JsonElement>("/api/v1/usage/searches?granularity=day&groupBy=subject")).GetProperty("rows");
        Assert.All(bySubject.EnumerateArray(), r => Assert.Equal(tenant.OwnerSubject, r.GetProperty("group").GetString()));
        Assert.Equal(DateOnly.FromDateTime(DateTime.UtcNow).ToString("yyyy-MM-dd"), bySubject[bySubject.GetArrayLength() - 1].GetProperty("day").GetString());

        // The documentation gap: the query nothing answered.
        var gaps = await tenant.Owner.GetFromJsonAsync<JsonElement>("/api/v1/usage/queries?zeroResults=true");
        var missing = gaps.EnumerateArray().Single(q => q.GetProperty("query").GetString() == gap);
        Assert.Equal(2, missing.GetProperty("zeroResultSearches").GetInt64());

        using var csv = await tenant.Owner.GetAsync("/api/v1/usage/searches?granularity=total&format=csv");
        Assert.Equal("text/csv", csv.Content.Headers.ContentType?.MediaType);
        Assert.StartsWith("tenant,day,group,searches,zero_result_searches", await csv.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // Another tenant sees none of it; only operators see every tenant.
        using var other = await TenantSession.StartAsync(docaiche);
        var theirs = (await other.Owner.GetFromJsonAsync<JsonElement>("/api/v1/usage/queries?zeroResults=true")).EnumerateArray();
        Assert.DoesNotContain(theirs, q => q.GetProperty("query").GetString() == gap);
        using (var notOperator = await tenant.Owner.GetAsync("/api/v1/usage/searches?tenant=all"))
        {
            Assert.Equal(HttpStatusCode.BadRequest, notOperator.StatusCode);
        }
        var everyone = (await docaiche.Gateway.GetFromJsonAsync<JsonElement>("/api/v1/usage/searches?tenant=all&granularity=total")).GetProperty("rows");
        Assert.Contains(everyone.EnumerateArray(), r => r.GetProperty("tenant").GetString() == tenant.TenantId);
        var viewer = await tenant.CreateUserAsync("Vic Viewer", "viewer");
        using (var refused = await viewer.Client.GetAsync("/api/v1/usage/searches"))
        {
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        }
        using (var bad = await tenant.Owner.GetAsync("/api/v1/usage/searches?groupBy=colour"))
        {
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        }
    }
}
