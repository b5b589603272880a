using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace DocAIche.WebSocket.LiveUpdates;

/// <summary>Whether a connection was admitted, or whose limit refused it.</summary>
public enum Admission
{
    Admitted,
    UserFull,
    TenantFull,
}

/// <summary>
/// How many live connections a user and a tenant may hold, counted across every websocket instance.
/// Each instance counts its own connections exactly, and keeps its share in Redis: one hash per user
/// and per tenant, a field per instance. Admission sums the shares of the instances still alive (a
/// sorted set of heartbeat deadlines) and takes a place in one script, so two instances cannot both
/// take the last one. Without Redis each instance still holds the limits for its own connections:
/// live updates keep working and the limits loosen, never the other way round. (A connection Redis
/// drops cancels the commands in flight: that counts as Redis being unavailable too.)
/// </summary>
public sealed partial class ConnectionLimits(IOptions<LiveUpdateOptions> options, ILogger<ConnectionLimits> logger, IConnectionMultiplexer? redis = null, TimeProvider? clock = null)
{
    /// <summary>How often an instance says it is alive, and how long other instances count it after it stops saying so.</summary>
    public static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(10);
    public static readonly TimeSpan InstanceLifetime = TimeSpan.FromSeconds(30);

    private const string Prefix = "docaiche:live:";
    private static readonly RedisKey Instances = Prefix + "instances";
    private static readonly TimeSpan KeyLifetime = TimeSpan.FromDays(1);

    // KEYS: instances, user, tenant, the tenant's peak of the day, the set of tenants with peaks.
    // ARGV: this instance, user limit, tenant limit, key lifetime (s), peak lifetime (s), tenant id.
    // Shares of instances whose heartbeat lapsed are dropped as they are met. An admission that
    // takes the tenant past the day's peak raises it (usage reports show the daily peak). Returns 0 when
    // the user is full, -1 when the tenant is, else how many connections the tenant holds now.
    private const string TakeScript = """
        local now = redis.call('TIME')
        local nowMs = now[1] * 1000 + math.floor(now[2] / 1000)
        local function held(key)
          local total = 0
          local shares = redis.call('HGETALL', key)
          for i = 1, #shares, 2 do
            local instance = shares[i]
            local deadline = redis.call('ZSCORE', KEYS[1], instance)
            if instance == ARGV[1] or (deadline and tonumber(deadline) > nowMs) then
              total = total + tonumber(shares[i + 1])
            else
              redis.call('HDEL', key, instance)
            end
          end
          return total
        end
        if held(KEYS[2]) >= tonumber(ARGV[2]) then
          return 0
        end
        local tenantHeld = held(KEYS[3])
        if tenantHeld >= tonumber(ARGV[3]) then
          return -1
        end
        redis.call('HINCRBY', KEYS[2], ARGV[1], 1)
        redis.call('HINCRBY', KEYS[3], ARGV[1], 1)
        redis.call('EXPIRE', KEYS[2], ARGV[4])
        redis.call('EXPIRE', KEYS[3], ARGV[4])
        if tenantHeld + 1 > tonumber(redis.call('GET', KEYS[4]) or '0') then
          redis.call('SET', KEYS[4], tenantHeld + 1, 'EX', ARGV[5])
          redis.call('SADD', KEYS[5], ARGV[6])
        end
        return tenantHeld + 1
        """;

    // KEYS: user, tenant. ARGV: this instance.
    private const string GiveScript = """
        for i = 1, #KEYS do
          if redis.call('HINCRBY', KEYS[i], ARGV[1], -1) <= 0 then
            redis.call('HDEL', KEYS[i], ARGV[1])
          end
        end
        return 1
        """;

    // KEYS: instances. ARGV: this instance, lifetime (ms). 1 when the instance was not registered (first beat, or Redis lost it).
    private const string BeatScript = """
        local now = redis.call('TIME')
        local nowMs = now[1] * 1000 + math.floor(now[2] / 1000)
        redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', nowMs)
        return redis.call('ZADD', KEYS[1], nowMs + tonumber(ARGV[2]), ARGV[1])
        """;

    private readonly TimeProvider time = clock ?? TimeProvider.System;
    private readonly Dictionary<string, int> perUser = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> perTenant = new(StringComparer.Ordinal);
    private readonly Lock counting = new();
    private long lastOutageLog;

    /// <summary>This instance's name in the shared counts.</summary>
    public string Instance { get; } = $"{Environment.MachineName}/{Guid.NewGuid():N}";

    /// <summary>Whether the counts are shared with other instances (Redis is configured).</summary>
    public bool Shared => redis is not null;

    /// <summary>Takes a place for the caller's next connection; false when the user or the tenant holds as many as allowed.</summary>
    public async ValueTask<bool> TryAdmitAsync(LiveCaller caller) => (await AdmitAsync(caller, tenantQuota: null)).Outcome == Admission.Admitted;

    /// <summary>
    /// Takes a place for the caller's next connection, or says whose limit refused it. The tenant's
    /// limit is the smaller of the configured one and the tenant's live-connections quota. Admitted, it
    /// also says how many connections the tenant holds now (across instances when Redis is there).
    /// </summary>
    public async ValueTask<(Admission Outcome, long TenantHeld)> AdmitAsync(LiveCaller caller, long? tenantQuota)
    {
        var userLimit = options.Value.MaxConnectionsPerUser;
        var tenantLimit = tenantQuota is { } quota ? Math.Min(quota, options.Value.MaxConnectionsPerTenant) : options.Value.MaxConnectionsPerTenant;
        var user = UserKey(caller);
        long held;
        lock (counting)
        {
            if (perUser.GetValueOrDefault(user) >= userLimit)
            {
                return (Admission.UserFull, 0);
            }
            if (perTenant.GetValueOrDefault(caller.TenantId) >= tenantLimit)
            {
                return (Admission.TenantFull, 0);
            }
            perUser[user] = perUser.GetValueOrDefault(user) + 1;
            held = perTenant[caller.TenantId] = perTenant.GetValueOrDefault(caller.TenantId) + 1;
        }
        if (redis is null)
        {
            return (Admission.Admitted, held);
        }
        try
        {
            var taken = (long)await redis.GetDatabase().ScriptEvaluateAsync(TakeScript,
                [Instances, Prefix + "user:" + user, Prefix + "tenant:" + caller.TenantId,
                 LivePeaks.KeyOf(caller.TenantId, DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime)), LivePeaks.Tenants],
                [Instance, userLimit, tenantLimit, (long)KeyLifetime.TotalSeconds, (long)LivePeaks.Kept.TotalSeconds, caller.TenantId]);
            if (taken > 0)
            {
                return (Admission.Admitted, taken);
            }
            ReleaseLocally(caller);
            return (taken == 0 ? Admission.UserFull : Admission.TenantFull, 0);
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException or OperationCanceledException)
        {
            LogOutage(exception);
            return (Admission.Admitted, held);
        }
    }

    /// <summary>Gives back the place <see cref="TryAdmitAsync"/> took.</summary>
    public void Release(LiveCaller caller)
    {
        ReleaseLocally(caller);
        if (redis is null)
        {
            return;
        }
        try
        {
            // Not awaited: a connection that closed must not wait on Redis; a lost decrement is repaired by the next resync.
            _ = redis.GetDatabase().ScriptEvaluateAsync(GiveScript,
                [Prefix + "user:" + UserKey(caller), Prefix + "tenant:" + caller.TenantId], [Instance], CommandFlags.FireAndForget);
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException or OperationCanceledException)
        {
            LogOutage(exception);
        }
    }

    /// <summary>
    /// Says this instance is alive. When Redis had forgotten it (first beat, restart, or a pause long
    /// enough for others to drop its shares), or <paramref name="resync"/> is set, its shares are
    /// written again from its own exact counts.
    /// </summary>
    public async Task HeartbeatAsync(bool resync)
    {
        if (redis is null)
        {
            return;
        }
        try
        {
            var database = redis.GetDatabase();
            var forgotten = (long)await database.ScriptEvaluateAsync(BeatScript, [Instances], [Instance, (long)InstanceLifetime.TotalMilliseconds]) == 1;
            if (!forgotten && !resync)
            {
                return;
            }
            List<(string Key, int Count)> shares;
            lock (counting)
            {
                shares = [.. perUser.Select(p => ("user:" + p.Key, p.Value)), .. perTenant.Select(p => ("tenant:" + p.Key, p.Value))];
            }
            var batch = database.CreateBatch();
            var writes = new List<Task>(shares.Count * 2);
            foreach (var (key, count) in shares)
            {
                writes.Add(batch.HashSetAsync(Prefix + key, Instance, count));
                writes.Add(batch.KeyExpireAsync(Prefix + key, KeyLifetime));
            }
            batch.Execute();
            await Task.WhenAll(writes);
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException or OperationCanceledException)
        {
            LogOutage(exception);
        }
    }

    /// <summary>Stops counting this instance's shares anywhere (it is shutting down).</summary>
    public async Task LeaveAsync()
    {
        if (redis is null)
        {
            return;
        }
        try
        {
            await redis.GetDatabase().SortedSetRemoveAsync(Instances, Instance);
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException or OperationCanceledException)
        {
            LogOutage(exception);
        }
    }

    private void ReleaseLocally(LiveCaller caller)
    {
        lock (counting)
        {
            Decrement(perUser, UserKey(caller));
            Decrement(perTenant, caller.TenantId);
        }

        static void Decrement(Dictionary<string, int> counts, string key)
        {
            if (counts.TryGetValue(key, out var value) && value > 1)
            {
                counts[key] = value - 1;
            }
            else
            {
                counts.Remove(key);
            }
        }
    }

    // Subjects are unique per tenant; the tenant is part of the key so two tenants never share a count.
    private static string UserKey(LiveCaller caller) => $"{caller.TenantId}/{caller.Subject}";

    private void LogOutage(Exception exception)
    {
        // At most one warning a minute: an outage during a reconnect storm would otherwise log once per connection.
        var now = Environment.TickCount64;
        var last = Interlocked.Read(ref lastOutageLog);
        if (now - last > 60_000 && Interlocked.CompareExchange(ref lastOutageLog, now, last) == last)
        {
            LogSharedCountsUnavailable(logger, exception);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Redis is unavailable: live-connection limits are held per instance until it is back")]
    private static partial void LogSharedCountsUnavailable(ILogger logger, Exception exception);
}

/// <summary>Keeps this instance's place in the shared connection counts: a heartbeat, and a full resync every minute.</summary>
public sealed class ConnectionLimitsHeartbeat(ConnectionLimits limits, TimeProvider time) : BackgroundService
{
    private const int BeatsPerResync = 6;

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        // Registered before the first client is admitted (the listener starts after this service).
        await limits.HeartbeatAsync(resync: false);
        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        for (var beat = 1; !stoppingToken.IsCancellationRequested; beat++)
        {
            try
            {
                await Task.Delay(ConnectionLimits.Heartbeat, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            await limits.HeartbeatAsync(resync: beat % BeatsPerResync == 0);
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await limits.LeaveAsync();
    }
}
