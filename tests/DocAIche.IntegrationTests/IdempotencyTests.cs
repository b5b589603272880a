using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using DocAIche.Gateway.Idempotency;
using DocAIche.IntegrationTests.Support;
using StackExchange.Redis;

namespace DocAIche.IntegrationTests;

/// <summary>Keyed writes through the gateway, remembered in the real Redis: a retry never does a write twice.</summary>
[Collection(DocAIcheCollection.Name)]
public sealed class IdempotencyTests(DocAIcheFixture docaiche)
{
    private static HttpRequestMessage CreateLibrary(string key, string name) => new(HttpMethod.Post, "/api/v1/libraries")
    {
        Content = JsonContent.Create(new { name, versions = new[] { "1" } }),
        Headers = { { "Idempotency-Key", key } },
    };

    private async Task<int> LibrariesNamedAsync(HttpClient client, string name)
    {
        var page = await client.GetFromJsonAsync<JsonElement>("/api/v1/libraries?limit=200");
        return page.GetProperty("items").EnumerateArray().Count(l => l.GetProperty("name").GetString() == name);
    }

    [Fact]
    public async Task Retrying_a_keyed_create_returns_the_first_answer_and_creates_one_library()
    {
        using var tenant = await TenantSession.StartAsync(docaiche);
        var key = Guid.NewGuid().ToString();
        var name = GatewayClient.UniqueWord("idempotent");

        using var first = await tenant.Owner.SendAsync(CreateLibrary(key, name));
        var firstBody = await first.Content.ReadAsStringAsync();
        using var retry = await tenant.Owner.SendAsync(CreateLibrary(key, name));
        var retryBody = await retry.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.Created, retry.StatusCode);
        Assert.Equal(firstBody, retryBody);
        Assert.Equal(first.Headers.Location, retry.Headers.Location);
        Assert.Equal("true", retry.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Equal(1, await LibrariesNamedAsync(tenant.Owner, name));

        // Without the key the same request is a new write, refused for the name it reuses.
        using var unkeyed = await tenant.Owner.PostAsJsonAsync("/api/v1/libraries", new { name, versions = new[] { "1" } });
        Assert.Equal(HttpStatusCode.Conflict, unkeyed.StatusCode);
    }

    [Fact]
    public async Task Concurrent_retries_with_one_key_create_one_library()
    {
        using var tenant = await TenantSession.StartAsync(docaiche);
        var key = Guid.NewGuid().ToString();
        var name = GatewayClient.UniqueWord("concurrent");

        var responses = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => tenant.Owner.SendAsync(CreateLibrary(key, name))));

        Assert.All(responses, r => Assert.Contains(r.StatusCode, new[] { HttpStatusCode.Created, HttpStatusCode.Conflict }));
        Assert.Contains(responses, r => r.StatusCode == HttpStatusCode.Created);
        // A 409 here is "still in progress" (retry later), never the service's "name taken": the write ran once.
        foreach (var conflict in responses.Where(r => r.StatusCode == HttpStatusCode.Conflict))
        {
            Assert.Contains("in progress", await conflict.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
        Assert.Equal(1, await LibrariesNamedAsync(tenant.Owner, name));
        foreach (var response in responses)
        {
            response.Dispose();
        }
    }

    [Fact]
    public async Task A_key_reused_for_another_request_is_refused_and_changes_nothing()
    {
        using var tenant = await TenantSession.StartAsync(docaiche);
        var key = Guid.NewGuid().ToString();
        var name = GatewayClient.UniqueWord("first");
        var other = GatewayClient.UniqueWord("other");

        using var first = await tenant.Owner.SendAsync(CreateLibrary(key, name));
        using var reused = await tenant.Owner.SendAsync(CreateLibrary(key, other));

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, reused.StatusCode);
        Assert.Equal("application/problem+json", reused.Content.Headers.ContentType?.MediaType);
        Assert.Equal(0, await LibrariesNamedAsync(tenant.Owner, other));
    }

    [Fact]
    public async Task Another_caller_using_the_same_key_gets_an_answer_of_its_own()
    {
        using var first = await TenantSession.StartAsync(docaiche);
        using var second = await TenantSession.StartAsync(docaiche);
        var key = Guid.NewGuid().ToString();
        var name = GatewayClient.UniqueWord("shared-key");

        using var mine = await first.Owner.SendAsync(CreateLibrary(key, name));
        using var theirs = await second.Owner.SendAsync(CreateLibrary(key, name));

        Assert.Equal(HttpStatusCode.Created, mine.StatusCode);
        Assert.Equal(HttpStatusCode.Created, theirs.StatusCode);
        Assert.False(theirs.Headers.Contains("Idempotent-Replayed"));
        Assert.NotEqual(mine.Headers.Location, theirs.Headers.Location);
        Assert.Equal(1, await LibrariesNamedAsync(second.Owner, name));
    }

    [Fact]
    public async Task Only_the_attempt_holding_a_key_renews_its_lease_and_never_once_it_has_answered()
    {
        await using var redis = await ConnectionMultiplexer.ConnectAsync((await docaiche.App.GetConnectionStringAsync("cache"))!);
        var store = new RedisIdempotencyStore(redis);
        var key = $"lease-test:{Guid.NewGuid():N}";
        var stored = (RedisKey)$"docaiche:idempotency:{key}";
        var attempt = new IdempotencyRecord("fingerprint", "attempt-1", Completed: false);

        Assert.Null(await store.TryBeginAsync(key, attempt, TimeSpan.FromSeconds(10)));
        await store.RenewAsync(key, "attempt-2", TimeSpan.FromMinutes(5));
        Assert.InRange((await redis.GetDatabase().KeyTimeToLiveAsync(stored))!.Value, TimeSpan.Zero, TimeSpan.FromSeconds(10));

        await store.RenewAsync(key, "attempt-1", TimeSpan.FromMinutes(5));
        Assert.InRange((await redis.GetDatabase().KeyTimeToLiveAsync(stored))!.Value, TimeSpan.FromMinutes(4), TimeSpan.FromMinutes(5));

        await store.CompleteAsync(key, attempt with { Completed = true, Status = 201 }, TimeSpan.FromHours(24));
        await store.RenewAsync(key, "attempt-1", TimeSpan.FromSeconds(10));
        Assert.InRange((await redis.GetDatabase().KeyTimeToLiveAsync(stored))!.Value, TimeSpan.FromHours(23), TimeSpan.FromHours(24));
        await redis.GetDatabase().KeyDeleteAsync(stored);
    }
}
