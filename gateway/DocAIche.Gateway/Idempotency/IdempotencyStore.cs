using System.Text.Json;
using StackExchange.Redis;

namespace DocAIche.Gateway.Idempotency;

/// <summary>Where keyed writes are recorded: shared by every gateway instance, so a retry may reach any of them.</summary>
public interface IIdempotencyStore
{
    /// <summary>Takes <paramref name="key"/> for <paramref name="record"/> (in progress, for <paramref name="lease"/>) unless someone holds it; returns what is there then.</summary>
    Task<IdempotencyRecord?> TryBeginAsync(string key, IdempotencyRecord record, TimeSpan lease);

    /// <summary>Extends the in-progress lease, if <paramref name="attempt"/> still holds the key and has not completed.</summary>
    Task RenewAsync(string key, string attempt, TimeSpan lease);

    /// <summary>Stores the answer, if <paramref name="record"/>'s attempt still holds the key.</summary>
    Task CompleteAsync(string key, IdempotencyRecord record, TimeSpan retention);

    /// <summary>Frees the key (the write was not done, or its outcome is unknown), if the attempt still holds it.</summary>
    Task ReleaseAsync(string key, string attempt);
}

/// <summary>The records in Redis, as JSON strings that expire on their own.</summary>
public sealed class RedisIdempotencyStore(IConnectionMultiplexer redis) : IIdempotencyStore
{
    private const string Prefix = "docaiche:idempotency:";

    // Only the attempt that took the key may answer for it or free it: one that outlived its timeout
    // must not overwrite a later attempt's record.
    private static readonly LuaScript CompleteScript = LuaScript.Prepare("""
        local current = redis.call('GET', @key)
        if current and cjson.decode(current)['attempt'] == @attempt then
            redis.call('SET', @key, @value, 'PX', @milliseconds)
        end
        """);

    private static readonly LuaScript RenewScript = LuaScript.Prepare("""
        local current = redis.call('GET', @key)
        if current then
            local record = cjson.decode(current)
            if record['attempt'] == @attempt and not record['completed'] then
                redis.call('PEXPIRE', @key, @milliseconds)
            end
        end
        """);

    private static readonly LuaScript ReleaseScript = LuaScript.Prepare("""
        local current = redis.call('GET', @key)
        if current and cjson.decode(current)['attempt'] == @attempt then
            redis.call('DEL', @key)
        end
        """);

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task<IdempotencyRecord?> TryBeginAsync(string key, IdempotencyRecord record, TimeSpan lease)
    {
        var db = redis.GetDatabase();
        if (await db.StringSetAsync(Prefix + key, JsonSerializer.Serialize(record, Json), lease, When.NotExists))
        {
            return null;
        }
        var existing = await db.StringGetAsync(Prefix + key);
        // Expired between the two calls: the caller may simply retry.
        return existing.IsNull
            ? record with { Attempt = "", Completed = false }
            : JsonSerializer.Deserialize<IdempotencyRecord>(existing.ToString(), Json);
    }

    public Task CompleteAsync(string key, IdempotencyRecord record, TimeSpan retention) =>
        redis.GetDatabase().ScriptEvaluateAsync(CompleteScript, new
        {
            key = (RedisKey)(Prefix + key),
            attempt = record.Attempt,
            value = JsonSerializer.Serialize(record, Json),
            milliseconds = (long)retention.TotalMilliseconds,
        });

    public Task RenewAsync(string key, string attempt, TimeSpan lease) =>
        redis.GetDatabase().ScriptEvaluateAsync(RenewScript, new { key = (RedisKey)(Prefix + key), attempt, milliseconds = (long)lease.TotalMilliseconds });

    public Task ReleaseAsync(string key, string attempt) =>
        redis.GetDatabase().ScriptEvaluateAsync(ReleaseScript, new { key = (RedisKey)(Prefix + key), attempt });
}
