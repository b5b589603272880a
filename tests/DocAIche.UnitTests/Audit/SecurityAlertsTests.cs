using System.Reflection;
using DocAIche.Audit.Alerts;
using StackExchange.Redis;

namespace DocAIche.UnitTests.Audit;

public sealed class SecurityAlertsTests
{
    private static readonly RedisKey Alert = "docaiche:audit:raised:t1:deletions.burst:user:42";
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    [Fact]
    public async Task An_alert_is_raised_once_per_window_by_the_first_message_that_sees_it()
    {
        var redis = StringStore.Create();

        Assert.True(await SecurityAlerts.MarkRaisedAsync(redis, Alert, "message-1", Window));
        Assert.False(await SecurityAlerts.MarkRaisedAsync(redis, Alert, "message-2", Window));
    }

    [Fact]
    public async Task A_message_tried_again_after_its_transaction_rolled_back_still_raises_its_alert()
    {
        var redis = StringStore.Create();
        Assert.True(await SecurityAlerts.MarkRaisedAsync(redis, Alert, "message-1", Window));

        // The first attempt's alert was rolled back with its transaction; the marker stayed in Redis.
        Assert.True(await SecurityAlerts.MarkRaisedAsync(redis, Alert, "message-1", Window));
        Assert.False(await SecurityAlerts.MarkRaisedAsync(redis, Alert, "message-2", Window));
    }
}

/// <summary>Redis strings in memory: the two commands the marker uses, SET (with NX) and GET.</summary>
internal class StringStore : DispatchProxy
{
    private readonly Dictionary<RedisKey, RedisValue> values = [];

    public static IDatabase Create() => DispatchProxy.Create<IDatabase, StringStore>();

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        var key = (RedisKey)args![0]!;
        switch (targetMethod!.Name)
        {
            case nameof(IDatabase.StringSetAsync):
                if (args.OfType<When>().FirstOrDefault() == When.NotExists && values.ContainsKey(key))
                {
                    return Task.FromResult(false);
                }
                values[key] = (RedisValue)args[1]!;
                return Task.FromResult(true);
            case nameof(IDatabase.StringGetAsync):
                return Task.FromResult(values.TryGetValue(key, out var value) ? value : RedisValue.Null);
            default:
                throw new NotSupportedException(targetMethod.Name);
        }
    }
}
