using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using DocAIche.IntegrationTests.Support;

namespace DocAIche.IntegrationTests;

/// <summary>One document through every service, as a client sees it at the gateway.</summary>
[Collection(DocAIcheCollection.Name)]
public sealed class WalkingSkeletonTests(DocAIcheFixture docaiche)
{
    private static readonly TimeSpan EventTimeout = TimeSpan.FromSeconds(60);
    private HttpClient Gateway => docaiche.Gateway;

    [Fact]
    public async Task The_gateway_health_reports_every_service_healthy()
    {
        using var response = await Gateway.GetAsync("/health");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var health = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("Healthy", health.RootElement.GetProperty("status").GetString());
        var entries = health.RootElement.GetProperty("entries");
        foreach (var service in new[] { "identity", "documents", "search", "audit", "websocket" })
        {
            Assert.Equal("Healthy", entries.GetProperty(service).GetProperty("status").GetString());
        }
    }

    [Fact]
    public async Task A_stored_document_is_indexed_audited_and_announced_to_live_clients()
    {
        await using var live = await LiveClient.ConnectAsync(docaiche.GatewayAddress, docaiche.OwnerAccessToken);
        await live.SubscribeAsync("index");
        var word = GatewayClient.UniqueWord("skeleton");

        var document = await Gateway.StoreDocumentAsync("Walking skeleton", $"The {word} travels through the outbox to search.");

        var announcement = await live.ReceiveAsync(m => m.GetProperty("type").GetString() == "document.indexed" &&
            m.GetProperty("data").GetProperty("documentId").GetGuid() == document.Id);
        Assert.Equal("Walking skeleton", announcement.GetProperty("data").GetProperty("title").GetString());

        var found = await Gateway.SearchAsync(word);
        var hit = Assert.Single(found.Results);
        Assert.Equal(document.Id, hit.DocumentId);
        Assert.Contains($"<mark>{word}</mark>", hit.Snippet, StringComparison.Ordinal);

        var records = await Eventually.Async(() => Gateway.AuditRecordsForAsync(document.LibraryId), r => r.Count > 0, EventTimeout, "the audit record");
        var record = Assert.Single(records);
        Assert.Equal("library.created", record.Action);
        Assert.Equal("library", record.TargetType);
    }

    [Fact]
    public async Task A_stored_document_can_be_read_back()
    {
        var document = await Gateway.StoreDocumentAsync("Read back", "Body text to read back.");

        using var response = await Gateway.GetAsync($"/api/v1/documents/{document.Id}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("Body text to read back.", body.RootElement.GetProperty("content").GetString());
    }

    [Fact]
    public async Task An_invalid_document_is_refused_with_the_fields_named_and_nothing_is_stored()
    {
        var word = GatewayClient.UniqueWord("refused");
        var library = await Gateway.CreateLibraryAsync(GatewayClient.UniqueWord("lib"), ["1"]);
        var source = await Gateway.CreateSourceAsync(library.Id, "1", new { kind = "upload" });
        var before = await CountDocumentsAsync();

        using var response = await Gateway.PostAsJsonAsync($"/api/v1/sources/{source.Id}/documents",
            new { path = "../outside.md", content = word, url = "file:///etc/passwd" });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var errors = problem.RootElement.GetProperty("errors");
        Assert.True(errors.TryGetProperty("path", out _));
        Assert.True(errors.TryGetProperty("url", out _));
        Assert.False(errors.TryGetProperty("content", out _));
        Assert.True(problem.RootElement.TryGetProperty("traceId", out _));

        Assert.Equal(before, await CountDocumentsAsync());
        // Give a wrongly published event time to arrive before looking for it.
        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.Empty((await Gateway.SearchAsync(word)).Results);
    }

    [Fact]
    public async Task Malformed_json_gets_a_problem_details_400()
    {
        using var content = new StringContent("{\"title\": \"unterminated", Encoding.UTF8, "application/json");

        using var response = await Gateway.PostAsync("/api/v1/libraries", content);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task An_unknown_document_is_a_problem_details_404()
    {
        using var response = await Gateway.GetAsync($"/api/v1/documents/{Guid.NewGuid()}");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task A_search_without_a_query_is_refused()
    {
        using var response = await Gateway.GetAsync("/api/v1/search?q=%20");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [InlineData("identity")]
    [InlineData("documents")]
    [InlineData("search")]
    [InlineData("audit")]
    [InlineData("websocket")]
    public async Task Each_service_publishes_its_openapi_document_through_the_gateway(string service)
    {
        using var response = await Gateway.GetAsync($"/openapi/{service}.json");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.StartsWith("3.", document.RootElement.GetProperty("openapi").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_documents_openapi_document_describes_storing_a_document()
    {
        using var document = JsonDocument.Parse(await Gateway.GetStringAsync("/openapi/documents.json"));

        var post = document.RootElement.GetProperty("paths").GetProperty("/api/v1/sources/{id}/documents").GetProperty("post");
        Assert.Equal("StoreDocument", post.GetProperty("operationId").GetString());
    }

    [Fact]
    public async Task The_gateway_returns_the_callers_correlation_id()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/health");
        request.Headers.Add("X-Correlation-Id", "order-4711");

        using var response = await Gateway.SendAsync(request);

        Assert.Equal("order-4711", response.Headers.GetValues("X-Correlation-Id").Single());
    }

    [Fact]
    public async Task The_gateway_gives_a_request_without_a_usable_correlation_id_a_new_one()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/health");
        request.Headers.TryAddWithoutValidation("X-Correlation-Id", "bad id with spaces");

        using var response = await Gateway.SendAsync(request);

        var id = response.Headers.GetValues("X-Correlation-Id").Single();
        Assert.NotEqual("bad id with spaces", id);
        Assert.Matches("^[0-9a-f]{32}$", id);
    }

    private async Task<int> CountDocumentsAsync()
    {
        var count = 0;
        string? cursor = null;
        do
        {
            using var page = JsonDocument.Parse(await Gateway.GetStringAsync($"/api/v1/documents?limit=100{(cursor is null ? "" : $"&cursor={cursor}")}"));
            count += page.RootElement.GetProperty("items").GetArrayLength();
            cursor = page.RootElement.GetProperty("nextCursor").GetString();
        }
        while (cursor is not null);
        return count;
    }
}
