using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using DocAIche.IntegrationTests.Support;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace DocAIche.IntegrationTests;

/// <summary>
/// Hybrid search, library resolution, feedback, answers and the MCP server, through the gateway,
/// over a fixture corpus ingested by upload and embedded by the local model.
/// </summary>
[Collection(DocAIcheCollection.Name)]
public sealed class SearchTests(DocAIcheFixture docaiche)
{
    /// <summary>The Redis server's resource (the tests run the servers as executables).</summary>
    private const string Redis = "redis";

    private sealed record Resolved(Guid LibraryId, string Name, bool Own, string? DefaultVersion, List<string> Versions, double Score);

    private sealed record ResolveResponse(string Name, List<Resolved> Libraries);

    private sealed record Problem(string Title, int Status, string? Detail);

    private static string SearchUrl(string query, string? library = null, string? version = null, int limit = 10, int? maxTokens = null, string? cursor = null) =>
        $"/api/v1/search?q={Uri.EscapeDataString(query)}&limit={limit}" +
        (library is null ? "" : $"&library={Uri.EscapeDataString(library)}") +
        (version is null ? "" : $"&version={Uri.EscapeDataString(version)}") +
        (maxTokens is null ? "" : $"&maxTokens={maxTokens}") +
        (cursor is null ? "" : $"&cursor={cursor}");

    private static async Task<SearchResponse> SearchAsync(HttpClient client, string url)
    {
        using var response = await client.GetAsync(url);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{url}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<SearchResponse>(GatewayClient.Json))!;
    }

    [Fact]
    public async Task Every_relevance_query_finds_its_page_in_the_top_three_and_a_version_filter_never_returns_the_other_version()
    {
        var corpus = await SearchCorpus.IngestedAsync(docaiche);
        var misses = new List<string>();
        foreach (var judged in corpus.Queries)
        {
            var found = await SearchAsync(corpus.Owner, SearchUrl(judged.Query, judged.Library, judged.Version, limit: 3));

            Assert.Contains("semantic", found.Methods);
            if (judged.Library is not null)
            {
                // The version that answered is said, and every result is from it.
                Assert.Equal(judged.Library, found.Library);
                Assert.Equal(judged.Version ?? corpus.Libraries[judged.Library].DefaultVersion, found.Version);
                Assert.All(found.Results, r => Assert.Equal(found.Version, r.Version));
                Assert.All(found.Results, r => Assert.Equal(judged.Library, r.Library));
            }
            if (!found.Results.Any(r => r.Title == judged.ExpectedTitle && r.Library == judged.ExpectedLibrary && r.Version == judged.ExpectedVersion))
            {
                misses.Add($"'{judged.Query}' expected {judged.ExpectedLibrary} {judged.ExpectedVersion} '{judged.ExpectedTitle}', got: " +
                    string.Join(" | ", found.Results.Select(r => $"{r.Library} {r.Version} '{r.Title}'")));
            }
        }
        Assert.True(misses.Count == 0, $"{misses.Count} of {corpus.Queries.Count} queries missed their page:\n{string.Join('\n', misses)}");
    }

    [Fact]
    public async Task Results_carry_what_a_reader_needs_pages_do_not_overlap_and_the_token_budget_holds()
    {
        var corpus = await SearchCorpus.IngestedAsync(docaiche);

        var first = await SearchAsync(corpus.Owner, SearchUrl("configure timeout retries", "wharfline", limit: 3));
        Assert.Equal(3, first.Results.Count);
        var top = first.Results[0];
        Assert.False(string.IsNullOrEmpty(top.Content));
        Assert.StartsWith(top.Title, top.Breadcrumb, StringComparison.Ordinal);
        Assert.Contains("<mark>", first.Results.First(r => r.Snippet.Contains("<mark>", StringComparison.Ordinal)).Snippet, StringComparison.Ordinal);
        Assert.True(first.Results.Zip(first.Results.Skip(1)).All(p => p.First.Score >= p.Second.Score), "best first");
        Assert.Equal(first.Results.Count, first.Results.Select(r => r.DocumentId).Distinct().Count());
        Assert.NotNull(first.NextCursor);

        var second = await SearchAsync(corpus.Owner, SearchUrl("configure timeout retries", "wharfline", limit: 3, cursor: first.NextCursor));
        Assert.NotEmpty(second.Results);
        Assert.Empty(second.Results.Select(r => r.DocumentId).Intersect(first.Results.Select(r => r.DocumentId)));

        var budgeted = await SearchAsync(corpus.Owner, SearchUrl("configure timeout retries", "wharfline", limit: 10, maxTokens: 150));
        Assert.NotEmpty(budgeted.Results);
        Assert.True(budgeted.Tokens <= 150, $"{budgeted.Tokens} tokens returned for a budget of 150");
        Assert.Equal(budgeted.Tokens, budgeted.Results.Sum(r => r.Tokens));

        // A query that nothing in the library answers finds nothing, rather than the nearest unrelated pages.
        var unrelated = await SearchAsync(corpus.Owner, SearchUrl("pizza margherita naples", "wharfline"));
        Assert.Contains("semantic", unrelated.Methods);
        Assert.Empty(unrelated.Results);

        // POST takes the same search in a body.
        using var posted = await corpus.Owner.PostAsJsonAsync("/api/v1/search", new { query = "configure timeout retries", library = "wharfline", limit = 3 });
        var body = (await posted.Content.ReadFromJsonAsync<SearchResponse>(GatewayClient.Json))!;
        Assert.Equal(first.Results.Select(r => r.ChunkId), body.Results.Select(r => r.ChunkId));
    }

    [Theory]
    [InlineData("o'brien's worker isn't retrying")]
    [InlineData(@"C:\\tasks\\retry path \\ backslash")]
    [InlineData("the and of vs")]
    [InlineData("retry -changelog \"failed tasks\"")]
    public async Task Queries_with_quotes_backslashes_or_only_stop_words_are_searched_not_refused(string query)
    {
        var corpus = await SearchCorpus.IngestedAsync(docaiche);

        var found = await SearchAsync(corpus.Owner, SearchUrl(query, "ferrymen"));

        Assert.Equal("ferrymen", found.Library);
    }

    [Theory]
    [InlineData("/api/v1/search?q=x&limit=0", HttpStatusCode.BadRequest)]
    [InlineData("/api/v1/search?q=x&maxTokens=0", HttpStatusCode.BadRequest)]
    [InlineData("/api/v1/search?q=x&version=1.0", HttpStatusCode.BadRequest)]
    [InlineData("/api/v1/search?q=x&cursor=not-ours", HttpStatusCode.BadRequest)]
    [InlineData("/api/v1/search?q=x&library=no-such-library", HttpStatusCode.NotFound)]
    [InlineData("/api/v1/search?q=x&library=larkspire&version=9.9", HttpStatusCode.NotFound)]
    [InlineData("/api/v1/libraries/resolve", HttpStatusCode.BadRequest)]
    public async Task Bad_searches_get_a_problem(string url, HttpStatusCode status)
    {
        var corpus = await SearchCorpus.IngestedAsync(docaiche);

        using var response = await corpus.Owner.GetAsync(url);

        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        if (url.Contains("9.9", StringComparison.Ordinal))
        {
            var problem = (await response.Content.ReadFromJsonAsync<Problem>(GatewayClient.Json))!;
            Assert.Contains("1.x, 2.x", problem.Detail, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Libraries_resolve_by_approximate_name_with_their_versions()
    {
        var corpus = await SearchCorpus.IngestedAsync(docaiche);

        var resolved = (await corpus.Owner.GetFromJsonAsync<ResolveResponse>("/api/v1/libraries/resolve?name=Lark-Spyre", GatewayClient.Json))!;

        var best = resolved.Libraries[0];
        Assert.Equal("larkspire", best.Name);
        Assert.Equal(["1.x", "2.x"], best.Versions);
        Assert.Equal("2.x", best.DefaultVersion);
        Assert.True(best.Own);
    }

    [Fact]
    public async Task Another_tenants_private_documentation_never_appears_through_search_resolve_mcp_or_the_cache()
    {
        var corpus = await SearchCorpus.IngestedAsync(docaiche);
        var stranger = docaiche.CreateClient(await docaiche.NewTenantOwnerTokenAsync());
        var queries = corpus.Queries.Take(8).ToList();
        foreach (var judged in queries)
        {
            // The owner's search is cached now; the stranger's identical one must not see it.
            Assert.NotEmpty((await SearchAsync(corpus.Owner, SearchUrl(judged.Query))).Results);
            Assert.Empty((await SearchAsync(stranger, SearchUrl(judged.Query))).Results);
        }
        using (var named = await stranger.GetAsync(SearchUrl("Router.map", "larkspire")))
        {
            Assert.Equal(HttpStatusCode.NotFound, named.StatusCode);
        }
        using (var byId = await stranger.GetAsync(SearchUrl("Router.map", corpus.Libraries["larkspire"].Id.ToString())))
        {
            Assert.Equal(HttpStatusCode.NotFound, byId.StatusCode);
        }
        Assert.Empty((await stranger.GetFromJsonAsync<ResolveResponse>("/api/v1/libraries/resolve?name=larkspire", GatewayClient.Json))!.Libraries);

        await using var mcp = await ConnectAsync(stranger);
        var listed = await mcp.CallToolAsync("list_libraries", new Dictionary<string, object?>());
        Assert.DoesNotContain("larkspire", Text(listed), StringComparison.Ordinal);
        var searched = await mcp.CallToolAsync("search_docs", new Dictionary<string, object?> { ["query"] = queries[0].Query });
        Assert.Equal(0, JsonDocument.Parse(Text(searched)).RootElement.GetProperty("results").GetArrayLength());
        var ownersDocument = (await SearchAsync(corpus.Owner, SearchUrl("Router.map", "larkspire"))).Results[0].DocumentId;
        var fetched = await mcp.CallToolAsync("get_document", new Dictionary<string, object?> { ["documentId"] = ownersDocument.ToString() });
        Assert.True(fetched.IsError);
        Assert.DoesNotContain("Router", Text(fetched), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_MCP_client_lists_and_calls_every_tool_through_the_gateway()
    {
        var corpus = await SearchCorpus.IngestedAsync(docaiche);
        await using var mcp = await ConnectAsync(corpus.Owner);

        var tools = await mcp.ListToolsAsync();
        Assert.Equal(["get_document", "list_libraries", "resolve_library", "search_docs"], tools.Select(t => t.Name).Order(StringComparer.Ordinal));

        var libraries = JsonDocument.Parse(Text(await mcp.CallToolAsync("list_libraries", new Dictionary<string, object?>()))).RootElement;
        Assert.Equal(corpus.Libraries.Keys.Order(StringComparer.Ordinal), libraries.EnumerateArray().Select(l => l.GetProperty("name").GetString()!).Order(StringComparer.Ordinal));

        var resolved = JsonDocument.Parse(Text(await mcp.CallToolAsync("resolve_library", new Dictionary<string, object?> { ["name"] = "wharfline" }))).RootElement;
        Assert.Equal("wharfline", resolved.GetProperty("libraries")[0].GetProperty("name").GetString());

        var searched = JsonDocument.Parse(Text(await mcp.CallToolAsync("search_docs", new Dictionary<string, object?>
        {
            ["query"] = "Router.map path parameters", ["library"] = "larkspire", ["version"] = "2.x", ["maxTokens"] = 500,
        }))).RootElement;
        Assert.Equal("2.x", searched.GetProperty("version").GetString());
        var hit = searched.GetProperty("results")[0];
        Assert.True(searched.GetProperty("tokens").GetInt32() <= 500);

        var document = JsonDocument.Parse(Text(await mcp.CallToolAsync("get_document", new Dictionary<string, object?>
        {
            ["documentId"] = hit.GetProperty("documentId").GetString(),
        }))).RootElement;
        Assert.Equal(hit.GetProperty("title").GetString(), document.GetProperty("title").GetString());
        Assert.Contains("Router.map", document.GetProperty("content").GetString(), StringComparison.Ordinal);

        var refused = await mcp.CallToolAsync("search_docs", new Dictionary<string, object?> { ["query"] = "x", ["library"] = "larkspire", ["version"] = "9" });
        Assert.True(refused.IsError);
        Assert.Contains("1.x, 2.x", Text(refused), StringComparison.Ordinal);

        // An agent with a viewer API key gets the same tools and the same tenant's documentation.
        using var created = await corpus.Owner.PostAsJsonAsync("/api/v1/api-keys", new { name = "coding agent", roles = new[] { "viewer" } });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        using var agent = docaiche.CreateClient();
        agent.DefaultRequestHeaders.Add("X-Api-Key", (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("key").GetString());
        await using (var keyed = await ConnectAsync(agent))
        {
            var byKey = JsonDocument.Parse(Text(await keyed.CallToolAsync("search_docs", new Dictionary<string, object?>
            {
                ["query"] = "Router.map path parameters", ["library"] = "larkspire",
            }))).RootElement;
            Assert.Equal(hit.GetProperty("documentId").GetString(), byKey.GetProperty("results")[0].GetProperty("documentId").GetString());
        }

        // The endpoint asks for the same authentication as the REST API.
        using var anonymous = await docaiche.Anonymous.PostAsJsonAsync("/mcp", new { jsonrpc = "2.0", id = 1, method = "tools/list" });
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
    }

    [Fact]
    public async Task A_changed_page_is_what_the_next_identical_search_returns()
    {
        var word = GatewayClient.UniqueWord("cachefresh");
        var library = await docaiche.Gateway.CreateLibraryAsync(GatewayClient.UniqueWord("fresh"), ["1.0"]);
        var source = await docaiche.Gateway.CreateSourceAsync(library.Id, "1.0", new { kind = "upload" });
        await docaiche.Gateway.StoreDocumentAsync(source.Id, "page.md", $"# Setup\n\nThe {word} listens on port 1111.");
        var url = SearchUrl(word, library.Name);
        await Eventually.Async(() => SearchAsync(docaiche.Gateway, url), r => r.Results.Count == 1, TimeSpan.FromSeconds(60), "the first text to be searchable");
        // Cached now: asked again, the same answer comes from the cache.
        Assert.Contains("1111", (await SearchAsync(docaiche.Gateway, url)).Results[0].Content, StringComparison.Ordinal);

        await docaiche.Gateway.StoreDocumentAsync(source.Id, "page.md", $"# Setup\n\nThe {word} listens on port 2222.");

        var changed = await Eventually.Async(() => SearchAsync(docaiche.Gateway, url),
            r => r.Results.Count == 1 && r.Results[0].Content.Contains("2222", StringComparison.Ordinal), TimeSpan.FromSeconds(60),
            "the changed text to replace the cached one");
        Assert.DoesNotContain("1111", changed.Results[0].Content, StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_Redis_stopped_search_still_answers_and_health_shows_the_degradation()
    {
        var corpus = await SearchCorpus.IngestedAsync(docaiche);
        var app = docaiche.App;
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await app.ResourceCommands.ExecuteCommandAsync(Redis, KnownResourceCommands.StopCommand, timeout.Token);
        try
        {
            await app.ResourceNotifications.WaitForResourceAsync(Redis, [KnownResourceStates.Exited, KnownResourceStates.Finished], timeout.Token);

            var found = await SearchAsync(corpus.Owner, SearchUrl("Router.map path parameters " + GatewayClient.UniqueWord("uncached"), "larkspire"));
            Assert.NotEmpty(found.Results);
            await Eventually.Async(
                SearchHealthAsync,
                s => s == "Degraded", TimeSpan.FromSeconds(30), "search's health to show Redis is gone");
        }
        finally
        {
            // Even when the test fails, Redis is back before the next test starts.
            await app.ResourceCommands.ExecuteCommandAsync(Redis, KnownResourceCommands.StartCommand, CancellationToken.None);
            await app.ResourceNotifications.WaitForResourceHealthyAsync(Redis, CancellationToken.None);
        }
        await Eventually.Async(
            SearchHealthAsync,
            s => s == "Healthy", TimeSpan.FromSeconds(60), "search's health to recover with Redis");
    }

    [Fact]
    public async Task Feedback_is_taken_for_results_the_caller_can_see_and_only_those()
    {
        var corpus = await SearchCorpus.IngestedAsync(docaiche);
        var hit = (await SearchAsync(corpus.Owner, SearchUrl("Router.map", "larkspire"))).Results[0];

        using var helpful = await corpus.Owner.PostAsJsonAsync("/api/v1/feedback",
            new { documentId = hit.DocumentId, chunkId = hit.ChunkId, kind = "helpful", query = "Router.map", comment = "exactly it" });
        Assert.Equal(HttpStatusCode.Created, helpful.StatusCode);
        using var opened = await corpus.Owner.PostAsJsonAsync("/api/v1/feedback", new { documentId = hit.DocumentId, kind = "opened" });
        Assert.Equal(HttpStatusCode.Created, opened.StatusCode);

        // Read by the next search (another page size: the first answer stays cached): the page scores higher than it did.
        var after = (await SearchAsync(corpus.Owner, SearchUrl("Router.map", "larkspire", limit: 9))).Results.Single(r => r.ChunkId == hit.ChunkId);
        Assert.True(after.Score > hit.Score, $"helpful and opened feedback should raise the page's score ({hit.Score} before, {after.Score} after)");

        using var badKind = await corpus.Owner.PostAsJsonAsync("/api/v1/feedback", new { documentId = hit.DocumentId, kind = "love" });
        Assert.Equal(HttpStatusCode.BadRequest, badKind.StatusCode);

        var stranger = docaiche.CreateClient(await docaiche.NewTenantOwnerTokenAsync());
        using var foreign = await stranger.PostAsJsonAsync("/api/v1/feedback", new { documentId = hit.DocumentId, kind = "not-helpful" });
        Assert.Equal(HttpStatusCode.NotFound, foreign.StatusCode);
    }

    [Fact]
    public async Task Without_a_language_model_answers_say_so_instead_of_inventing_one()
    {
        using var response = await docaiche.Gateway.PostAsJsonAsync("/api/v1/answer", new { question = "How do I configure retries?" });

        Assert.Equal(HttpStatusCode.NotImplemented, response.StatusCode);
        var problem = (await response.Content.ReadFromJsonAsync<Problem>(GatewayClient.Json))!;
        Assert.Contains("No language model is configured", problem.Detail, StringComparison.Ordinal);
    }

    /// <summary>Search's entry in the gateway's health report (which answers 503 while Redis, which the gateway needs too, is down).</summary>
    private async Task<string?> SearchHealthAsync()
    {
        using var response = await docaiche.Anonymous.GetAsync("/health");
        var report = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        return report.GetProperty("entries").GetProperty("search").GetProperty("status").GetString();
    }

    private async Task<McpClient> ConnectAsync(HttpClient caller)
    {
        var transport = new HttpClientTransport(
            new HttpClientTransportOptions { Endpoint = new Uri(docaiche.GatewayAddress, "/mcp"), TransportMode = HttpTransportMode.StreamableHttp },
            caller, ownsHttpClient: false);
        return await McpClient.CreateAsync(transport);
    }

    private static string Text(CallToolResult result) =>
        string.Concat(result.Content.OfType<TextContentBlock>().Select(c => c.Text));
}
