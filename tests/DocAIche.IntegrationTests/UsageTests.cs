using static DocAIche.IntegrationTests.Support.Archives;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using DocAIche.IntegrationTests.Support;
using ModelContextProtocol.Client;

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
        Assert.StartsWith("tenant,day,group,searches,answers,mcp_tool_calls,zero_result_searches", await csv.Content.ReadAsStringAsync(), StringComparison.Ordinal);

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

    [Fact]
    public async Task Ingestion_storage_mcp_tool_calls_and_live_connections_are_metered_and_summed_up_in_one_report()
    {
        using var tenant = await TenantSession.StartAsync(docaiche);
        var owner = tenant.Owner;
        var token = owner.DefaultRequestHeaders.Authorization!.Parameter!;
        var library = await owner.CreateLibraryAsync(GatewayClient.UniqueWord("metered").ToLowerInvariant(), ["1"]);
        var source = await owner.CreateSourceAsync(library.Id, "1", new { kind = "upload" });

        // An ingestion job of two pages.
        using var accepted = await owner.UploadZipAsync(source.Id, Zip(("a.md", "# Alpha\n\nThe first page, about caches."), ("b.md", "# Beta\n\nThe second page, about queues.")));
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        var job = await owner.SucceededJobAsync((await accepted.Content.ReadFromJsonAsync<Job>(GatewayClient.Json))!.Id);

        // Two live connections at once, then one.
        await using (await LiveClient.ConnectAsync(docaiche.GatewayAddress, token))
        await using (await LiveClient.ConnectAsync(docaiche.GatewayAddress, token))
        {
        }

        // Three MCP tool calls, none of them a search.
        var transport = new HttpClientTransport(
            new HttpClientTransportOptions { Endpoint = new Uri(docaiche.GatewayAddress, "/mcp"), TransportMode = HttpTransportMode.StreamableHttp },
            owner, ownsHttpClient: false);
        await using (var mcp = await McpClient.CreateAsync(transport))
        {
            await mcp.CallToolAsync("list_libraries", new Dictionary<string, object?>());
            await mcp.CallToolAsync("resolve_library", new Dictionary<string, object?> { ["name"] = library.Name });
            await mcp.CallToolAsync("resolve_library", new Dictionary<string, object?> { ["name"] = "no-such-library" });
        }

        var ingestion = (await owner.GetFromJsonAsync<JsonElement>("/api/v1/usage/ingestion?granularity=total")).GetProperty("rows");
        var jobs = Assert.Single(ingestion.EnumerateArray());
        Assert.Equal(1, jobs.GetProperty("jobs").GetInt64());
        Assert.Equal(1, jobs.GetProperty("succeededJobs").GetInt64());
        Assert.Equal(job.Fetched, jobs.GetProperty("pagesFetched").GetInt64());
        Assert.Equal(2, jobs.GetProperty("documentsChanged").GetInt64());
        var bySubject = (await owner.GetFromJsonAsync<JsonElement>("/api/v1/usage/ingestion?granularity=total&groupBy=subject")).GetProperty("rows");
        Assert.Equal(tenant.OwnerSubject, Assert.Single(bySubject.EnumerateArray()).GetProperty("group").GetString());

        var content = (await owner.GetFromJsonAsync<JsonElement>("/api/v1/usage/content")).GetProperty("rows");
        var today = content[content.GetArrayLength() - 1];
        Assert.Equal(DateOnly.FromDateTime(DateTime.UtcNow).ToString("yyyy-MM-dd"), today.GetProperty("day").GetString());
        Assert.Equal(2, today.GetProperty("documents").GetInt64());
        Assert.True(today.GetProperty("chunks").GetInt64() >= 2);
        Assert.True(today.GetProperty("storageBytes").GetInt64() > 40);

        var live = (await owner.GetFromJsonAsync<JsonElement>("/api/v1/usage/live?granularity=total")).GetProperty("rows");
        Assert.Equal(2, Assert.Single(live.EnumerateArray()).GetProperty("peakConnections").GetInt64());

        // One report of everything, day by day; the tool calls arrive off the request path.
        var summary = await Eventually.Async(
            async () => await owner.GetFromJsonAsync<JsonElement>("/api/v1/usage?granularity=total"),
            s => s.GetProperty("rows").GetArrayLength() == 1 && s.GetProperty("rows")[0].GetProperty("mcpToolCalls").GetInt64() == 3,
            MeteringTimeout, "the MCP tool calls metered");
        Assert.Empty(summary.GetProperty("unavailable").EnumerateArray());
        var all = summary.GetProperty("rows")[0];
        Assert.Equal(0, all.GetProperty("searches").GetInt64());
        Assert.Equal(1, all.GetProperty("ingestionJobs").GetInt64());
        Assert.Equal(2, all.GetProperty("documents").GetInt64());
        Assert.Equal(2, all.GetProperty("peakLiveConnections").GetInt64());
        var daily = (await owner.GetFromJsonAsync<JsonElement>("/api/v1/usage")).GetProperty("rows");
        Assert.Equal(DateOnly.FromDateTime(DateTime.UtcNow).ToString("yyyy-MM-dd"), daily[daily.GetArrayLength() - 1].GetProperty("day").GetString());
        using (var csv = await owner.GetAsync("/api/v1/usage?granularity=total&format=csv"))
        {
            Assert.Equal("text/csv", csv.Content.Headers.ContentType?.MediaType);
            var lines = (await csv.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.StartsWith("tenant,day,searches,answers,mcp_tool_calls", lines[0], StringComparison.Ordinal);
            Assert.Equal(2, lines.Length);
        }

        // The services' own refusals come back as they are; operators see every tenant.
        var viewer = await tenant.CreateUserAsync("Vera Viewer", "viewer");
        using (var refused = await viewer.Client.GetAsync("/api/v1/usage"))
        {
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        }
        using (var bad = await owner.GetAsync("/api/v1/usage?granularity=hourly"))
        {
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
            Assert.Contains("granularity", await bad.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
        using (var anonymous = await docaiche.Anonymous.GetAsync("/api/v1/usage"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        }
        var everyone = (await docaiche.Gateway.GetFromJsonAsync<JsonElement>("/api/v1/usage?tenant=all&granularity=total")).GetProperty("rows");
        Assert.Contains(everyone.EnumerateArray(), r => r.GetProperty("tenant").GetString() == tenant.TenantId && r.GetProperty("ingestionJobs").GetInt64() == 1);
    }
}
