using DocAIche.ServiceDefaults.Authentication;
using StackExchange.Redis;

namespace DocAIche.WebSocket.LiveUpdates;

/// <summary>
/// Ends the open connections of subjects identity revokes (SCIM deprovisioning, a disabled person,
/// their keys), as announced on the Redis channel the gateways follow: new connections are refused at
/// the gateway, and the ones already open stop here at once rather than when they next reconnect.
/// An announcement missed while Redis was away is not replayed; such a connection lasts until it
/// reconnects (and is refused) or its token's lifetime, whichever comes first.
/// </summary>
public sealed partial class RevokedSubjectsWatcher(IConnectionMultiplexer redis, LiveConnections connections, ILogger<RevokedSubjectsWatcher> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await redis.GetSubscriber().SubscribeAsync(RedisChannel.Literal(SubjectRevocations.Channel), (_, message) => End(message.ToString()));
                return;
            }
            catch (Exception exception) when (exception is RedisException or TimeoutException)
            {
                LogNotSubscribed(logger, exception);
            }
            await Task.Delay(TimeSpan.FromSeconds(5), stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    private void End(string announcement)
    {
        // "subject unix-seconds": every connection open now was opened with a token from before that moment.
        var subject = announcement.Split(' ')[0];
        if (subject.Length > 0 && connections.Revoke(subject) is var ended and > 0)
        {
            LogEnded(logger, ended);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Not subscribed to revoked subjects yet (Redis unavailable); trying again in 5 s")]
    private static partial void LogNotSubscribed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Ended {Count} live connections of a revoked subject")]
    private static partial void LogEnded(ILogger logger, int count);
}
