using static DocAIche.IntegrationTests.Support.Archives;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using DocAIche.IntegrationTests.Support;

namespace DocAIche.IntegrationTests;

/// <summary>
/// Quotas an operator sets on a tenant, met through the gateway as a person would meet them: a
/// problem naming the quota with its limit and use, nothing changed, and an alert when 80 % is reached.
/// </summary>
[Collection(DocAIcheCollection.Name)]
public sealed class QuotaTests(DocAIcheFixture docaiche)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task An_operator_limits_a_tenant_which_meets_each_quota_as_a_problem_naming_it_and_is_alerted_at_80_percent()
    {
        using var tenant = await TenantSession.StartAsync(docaiche);
        var owner = tenant.Owner;
        var ownerToken = owner.DefaultRequestHeaders.Authorization!.Parameter!;

        // Only operators set quotas, and only sensible ones.
        using (var bySelf = await owner.PutAsJsonAsync($"/api/v1/tenants/{tenant.TenantId}/quotas", new { libraries = 1000 }))
        {
            Assert.Equal(HttpStatusCode.Forbidden, bySelf.StatusCode);
        }
        using (var negative = await docaiche.Gateway.PutAsJsonAsync($"/api/v1/tenants/{tenant.TenantId}/quotas", new { libraries = -1 }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, negative.StatusCode);
            Assert.Contains("libraries", await negative.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
        using (var unknown = await docaiche.Gateway.PutAsJsonAsync("/api/v1/tenants/no-such-tenant-here/quotas", new { libraries = 1 }))
        {
            Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        }
        using (var set = await docaiche.Gateway.PutAsJsonAsync($"/api/v1/tenants/{tenant.TenantId}/quotas",
            new { libraries = 2, documents = 5, searchesPerDay = 5, liveConnections = 2 }))
        {
            Assert.Equal(HttpStatusCode.OK, set.StatusCode);
        }
        var own = await owner.GetFromJsonAsync<JsonElement>("/api/v1/quotas");
        Assert.Equal(2, own.GetProperty("libraries").GetInt64());
        Assert.Equal(5, own.GetProperty("searchesPerDay").GetInt64());
        Assert.Equal(JsonValueKind.Null, own.GetProperty("storageBytes").ValueKind);

        // The owner watches alerts live: that is one of the two live connections.
        await using var live = await LiveClient.ConnectAsync(docaiche.GatewayAddress, ownerToken);
        Assert.Equal("subscribed", (await live.SubscribeAsync("alerts")).GetProperty("type").GetString());

        // Libraries: two, the second reaching 80 %; a third is refused and not created.
        var library = await owner.CreateLibraryAsync(GatewayClient.UniqueWord("quota").ToLowerInvariant(), ["1"]);
        await owner.CreateLibraryAsync(GatewayClient.UniqueWord("quota").ToLowerInvariant(), ["1"]);
        var third = GatewayClient.UniqueWord("quota").ToLowerInvariant();
        using (var refused = await owner.PostAsJsonAsync("/api/v1/libraries", new { name = third, versions = new[] { "1" } }))
        {
            await AssertQuotaProblemAsync(refused, HttpStatusCode.Forbidden, "libraries", 2, 2);
        }
        var names = await owner.GetStringAsync("/api/v1/libraries?limit=200");
        Assert.DoesNotContain(third, names, StringComparison.Ordinal);

        // Documents: five, the fourth reaching 80 %; a sixth is refused, changing a stored one is not.
        var source = await owner.CreateSourceAsync(library.Id, "1", new { kind = "upload" });
        for (var i = 1; i <= 5; i++)
        {
            await owner.StoreDocumentAsync(source.Id, $"page-{i}.md", $"# Page {i}\n\nText of page {i}.\n");
        }
        using (var sixth = await owner.PostAsJsonAsync($"/api/v1/sources/{source.Id}/documents", new { path = "page-6.md", content = "# Page 6\n\nOne too many.\n" }))
        {
            await AssertQuotaProblemAsync(sixth, HttpStatusCode.Forbidden, "documents", 5, 5);
        }
        Assert.Equal(5, (await owner.DocumentsAsync(library.Id, "1")).Count);
        await owner.StoreDocumentAsync(source.Id, "page-1.md", "# Page 1\n\nRewritten, still one document.\n");
        using (var upload = new MultipartFormDataContent { { new ByteArrayContent("# More\n\nAnother page.\n"u8.ToArray()), "file", "more.md" } })
        using (var uploaded = await owner.PostAsync($"/api/v1/sources/{source.Id}/uploads", upload))
        {
            await AssertQuotaProblemAsync(uploaded, HttpStatusCode.Forbidden, "documents", 5, 5);
        }

        // Searches: five a day, the fourth reaching 80 %; the sixth is refused until midnight UTC.
        for (var i = 0; i < 5; i++)
        {
            using var served = await owner.GetAsync("/api/v1/search?q=page");
            Assert.Equal(HttpStatusCode.OK, served.StatusCode);
        }
        using (var spent = await owner.GetAsync("/api/v1/search?q=page"))
        {
            await AssertQuotaProblemAsync(spent, HttpStatusCode.TooManyRequests, "searchesPerDay", 5, 5);
            var retryAfter = spent.Headers.RetryAfter?.Delta;
            Assert.NotNull(retryAfter);
            Assert.InRange(retryAfter.Value, TimeSpan.FromSeconds(1), TimeSpan.FromDays(1));
        }

        // Live connections: the second is admitted (and reaches 80 %), a third is refused.
        await using (await LiveClient.ConnectAsync(docaiche.GatewayAddress, ownerToken))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, await LiveClient.RefusalAsync(docaiche.GatewayAddress, ownerToken));
        }

        // One alert per quota that reached 80 %, told live (and kept in the audit trail).
        var kinds = new HashSet<string>(StringComparer.Ordinal);
        while (kinds.Count < 4)
        {
            var alert = await live.ReceiveAsync(m => m.GetProperty("type").GetString() == "security.alert");
            kinds.Add(alert.GetProperty("data").GetProperty("kind").GetString()!);
        }
        Assert.Equal(["quota.documents", "quota.libraries", "quota.liveConnections", "quota.searchesPerDay"], kinds.Order(StringComparer.Ordinal));
        await AuditTests.RecordsEventuallyAsync(owner, "&action=quota.threshold_reached", 4, "the four quota records");

        // Storage: a limit below what the tenant holds refuses any growth, not a change that shrinks.
        using (var set = await docaiche.Gateway.PutAsJsonAsync($"/api/v1/tenants/{tenant.TenantId}/quotas", new { storageBytes = 50 }))
        {
            Assert.Equal(HttpStatusCode.OK, set.StatusCode);
        }
        // (Each try is longer than the one before: a try the old quotas let through is still growth next time.)
        var length = 500;
        await Eventually.Async(async () =>
        {
            using var grown = await owner.PostAsJsonAsync($"/api/v1/sources/{source.Id}/documents",
                new { path = "page-2.md", content = "# Page 2\n\n" + new string('x', length++) + "\n" });
            return grown.StatusCode;
        }, status => status == HttpStatusCode.Forbidden, Patience, "growth past the storage quota to be refused");
        using (var grown = await owner.PostAsJsonAsync($"/api/v1/sources/{source.Id}/documents",
            new { path = "page-2.md", content = "# Page 2\n\n" + new string('x', length + 100) + "\n" }))
        {
            await AssertQuotaProblemAsync(grown, HttpStatusCode.Forbidden, "storage", 50, null);
        }
        using (var shrunk = await owner.PostAsJsonAsync($"/api/v1/sources/{source.Id}/documents", new { path = "page-2.md", content = "# 2\n" }))
        {
            Assert.Equal(HttpStatusCode.OK, shrunk.StatusCode);
        }

        // The operator lifts the quotas: the third library is created.
        using (var lifted = await docaiche.Gateway.PutAsJsonAsync($"/api/v1/tenants/{tenant.TenantId}/quotas", new { }))
        {
            Assert.Equal(HttpStatusCode.OK, lifted.StatusCode);
        }
        await Eventually.Async(async () =>
        {
            using var created = await owner.PostAsJsonAsync("/api/v1/libraries", new { name = third, versions = new[] { "1" } });
            return created.StatusCode;
        }, status => status == HttpStatusCode.Created, Patience, "the third library once the quotas are lifted");
        Assert.Equal(JsonValueKind.Null, (await owner.GetFromJsonAsync<JsonElement>("/api/v1/quotas")).GetProperty("libraries").ValueKind);
    }

    [Fact]
    public async Task An_upload_past_the_documents_quota_stores_what_fits_and_says_which_pages_the_quota_refused()
    {
        using var tenant = await TenantSession.StartAsync(docaiche);
        var owner = tenant.Owner;
        using (var set = await docaiche.Gateway.PutAsJsonAsync($"/api/v1/tenants/{tenant.TenantId}/quotas", new { documents = 2 }))
        {
            Assert.Equal(HttpStatusCode.OK, set.StatusCode);
        }
        var library = await owner.CreateLibraryAsync(GatewayClient.UniqueWord("zipquota").ToLowerInvariant(), ["1"]);
        var source = await owner.CreateSourceAsync(library.Id, "1", new { kind = "upload" });

        using var accepted = await owner.UploadZipAsync(source.Id, Zip(("a.md", "# Alpha\n\nFirst."), ("b.md", "# Beta\n\nSecond."), ("c.md", "# Gamma\n\nThird.")));
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        var job = await owner.FinishedJobAsync((await accepted.Content.ReadFromJsonAsync<Job>(GatewayClient.Json))!.Id);

        Assert.Equal("succeeded", job.State);
        Assert.Equal(2, job.DocumentsChanged);
        Assert.Equal(1, job.Failed);
        Assert.Equal(2, (await owner.DocumentsAsync(library.Id, "1")).Count);
        var refused = Assert.Single(await owner.JobErrorsAsync(job.Id));
        Assert.Contains("documents quota", refused.Error, StringComparison.Ordinal);
    }

    private static async Task AssertQuotaProblemAsync(HttpResponseMessage response, HttpStatusCode status, string quota, long limit, long? used)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"expected {(int)status}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(body).RootElement;
        Assert.Equal("Quota exceeded", problem.GetProperty("title").GetString());
        Assert.Equal(quota, problem.GetProperty("quota").GetString());
        Assert.Equal(limit, problem.GetProperty("limit").GetInt64());
        if (used is { } expected)
        {
            Assert.Equal(expected, problem.GetProperty("used").GetInt64());
        }
        Assert.Contains(quota, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }
}
