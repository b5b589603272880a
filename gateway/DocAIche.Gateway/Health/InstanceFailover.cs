using System.Net.Sockets;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Model;

namespace DocAIche.Gateway.Health;

/// <summary>
/// Sends a request that an instance could not take to another instance of the same service, before
/// the health checks have noticed that the instance is gone (up to 2 s of active probing). Only what
/// is safe to send twice is sent again: any request whose connection was refused (it never reached the
/// instance), and a read (GET, HEAD) that failed in transport before any answer was sent on. A write
/// that may have reached an instance is never sent again: its caller retries it with its
/// <c>Idempotency-Key</c>. Bodies up to <see cref="MaxReplayedBodyBytes"/> are kept to send again.
/// </summary>
internal static class InstanceFailover
{
    public const int MaxReplayedBodyBytes = 1024 * 1024;

    /// <summary>The proxy's pipeline with failover around load balancing and passive health checks.</summary>
    public static void UseInstanceFailover(this IReverseProxyApplicationBuilder proxy)
    {
        proxy.Use(FailoverAsync);
        proxy.UseSessionAffinity();
        proxy.UseLoadBalancing();
        proxy.UsePassiveHealthChecks();
    }

    private static async Task FailoverAsync(HttpContext context, Func<Task> next)
    {
        var proxied = context.GetReverseProxyFeature();
        var candidates = proxied.AvailableDestinations;
        if (candidates.Count < 2 || !CanReplay(context.Request))
        {
            await next();
            return;
        }
        if (context.Request.ContentLength > 0)
        {
            context.Request.EnableBuffering(MaxReplayedBodyBytes);
        }

        var tried = new List<DestinationState>(2);
        while (true)
        {
            await next();
            var error = context.GetForwarderErrorFeature();
            if (error is null || context.Response.HasStarted || proxied.ProxiedDestination is not { } failed ||
                !ShouldSendAgain(context.Request.Method, error))
            {
                return;
            }
            tried.Add(failed);
            var remaining = candidates.Where(d => !tried.Contains(d)).ToList();
            if (remaining.Count == 0)
            {
                return;
            }
            // As if the failed attempt had not happened: no error, no answer, the body from its start.
            context.Features.Set<IForwarderErrorFeature>(null);
            context.Response.Clear();
            if (context.Request.Body.CanSeek)
            {
                context.Request.Body.Position = 0;
            }
            proxied.AvailableDestinations = remaining;
        }
    }

    /// <summary>A request whose body, if any, can be sent again: none, or one of known, bounded length.</summary>
    internal static bool CanReplay(HttpRequest request) =>
        request.ContentLength is null or 0 ? request.Headers.TransferEncoding.Count == 0 : request.ContentLength <= MaxReplayedBodyBytes;

    /// <summary>Whether a failed attempt is safe to send to another instance.</summary>
    internal static bool ShouldSendAgain(string method, IForwarderErrorFeature error) =>
        error.Error == ForwarderError.Request &&
        (NeverConnected(error.Exception) || HttpMethods.IsGet(method) || HttpMethods.IsHead(method));

    /// <summary>The connection to the instance could not be made, so the request never reached it.</summary>
    internal static bool NeverConnected(Exception? exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError } ||
                e is SocketException { SocketErrorCode: SocketError.ConnectionRefused })
            {
                return true;
            }
        }
        return false;
    }
}
