using System.Net;
using DocAIche.IntegrationTests.Support;
using StackExchange.Redis;

namespace DocAIche.IntegrationTests;

/// <summary>
/// Connection limits hold across websocket instances: the test plays a second instance in the
/// real Redis (a heartbeat entry and its share of a user's connections), as another process would.
/// </summary>
[Collection(DocAIcheCollection.Name)]
public sealed class LiveConnectionLimitsTests(DocAIcheFixture docaiche)
{
    // The service's default; the fixture does not change it.
    private const int PerUser = 50;

    [Fact]
    public async Task A_users_connections_on_another_instance_count_against_the_limit_until_that_instance_is_gone()
    {
        using var tenant = await TenantSession.StartAsync(docaiche);
        var token = tenant.Owner.DefaultRequestHeaders.Authorization!.Parameter!;
        await using var redis = await ConnectionMultiplexer.ConnectAsync((await docaiche.App.GetConnectionStringAsync("cache"))!);
        var database = redis.GetDatabase();
        var userKey = $"docaiche:live:user:{tenant.TenantId}/{tenant.OwnerSubject}";
        var other = $"test-instance/{Guid.NewGuid():N}";
        var alive = DateTimeOffset.UtcNow.AddMinutes(5).ToUnixTimeMilliseconds();
        await database.SortedSetAddAsync("docaiche:live:instances", other, alive);
        try
        {
            // The other instance holds every place the user has.
            await database.HashSetAsync(userKey, other, PerUser);
            Assert.Equal(HttpStatusCode.TooManyRequests, await LiveClient.RefusalAsync(docaiche.GatewayAddress, token));

            // One place left: this instance takes it and says so in Redis; the next is refused.
            await database.HashSetAsync(userKey, other, PerUser - 1);
            await using (await LiveClient.ConnectAsync(docaiche.GatewayAddress, token))
            {
                var shares = (await database.HashGetAllAsync(userKey)).ToDictionary(e => e.Name.ToString(), e => (int)e.Value);
                Assert.Equal(1, shares.Where(s => s.Key != other).Sum(s => s.Value));
                Assert.Equal(HttpStatusCode.TooManyRequests, await LiveClient.RefusalAsync(docaiche.GatewayAddress, token));
            }

            // The other instance stops beating: its share no longer counts, and is dropped.
            await database.SortedSetRemoveAsync("docaiche:live:instances", other);
            await database.HashSetAsync(userKey, other, PerUser);
            await using (await LiveClient.ConnectAsync(docaiche.GatewayAddress, token))
            {
                Assert.False(await database.HashExistsAsync(userKey, other));
            }
        }
        finally
        {
            await database.SortedSetRemoveAsync("docaiche:live:instances", other);
            await database.HashDeleteAsync(userKey, other);
        }
    }

    [Fact]
    public async Task A_closed_connection_gives_its_place_back_in_the_shared_counts()
    {
        using var tenant = await TenantSession.StartAsync(docaiche);
        var token = tenant.Owner.DefaultRequestHeaders.Authorization!.Parameter!;
        await using var redis = await ConnectionMultiplexer.ConnectAsync((await docaiche.App.GetConnectionStringAsync("cache"))!);
        var tenantKey = $"docaiche:live:tenant:{tenant.TenantId}";

        await using (await LiveClient.ConnectAsync(docaiche.GatewayAddress, token))
        {
            Assert.Equal(1, (await redis.GetDatabase().HashValuesAsync(tenantKey)).Sum(v => (int)v));
        }

        // The release is not awaited by the closing connection: it lands moments later.
        for (var attempt = 0; attempt < 50 && (await redis.GetDatabase().HashValuesAsync(tenantKey)).Sum(v => (int)v) != 0; attempt++)
        {
            await Task.Delay(100);
        }
        Assert.Equal(0, (await redis.GetDatabase().HashValuesAsync(tenantKey)).Sum(v => (int)v));
    }
}
