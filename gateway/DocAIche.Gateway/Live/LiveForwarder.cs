using System.Net.Sockets;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace DocAIche.Gateway.Live;

/// <summary>
/// The gateway's <c>/ws</c>, once the edge checks every request passes are done (screening, CORS,
/// API-key exchange, authentication, rate limits): the opening request goes on to the websocket
/// service's live endpoint over a socket of its own, and the service's answer decides. A 101 joins
/// the two connections into a <see cref="LiveTunnel"/>, which <see cref="LiveTunnels"/> runs once
/// the pipeline has returned; anything else (the service's 400, 401, 403,
/// 405, 426, 429 or 503 problem) reaches the client as the service wrote it. Per connection this
/// holds the two sockets and the copy between them, where the reverse proxy held an HTTP client
/// connection with its buffers and timers as well.
/// </summary>
public sealed partial class LiveForwarder(
    LiveBackend backend,
    IOptions<LiveForwardingOptions> options,
    IHostApplicationLifetime lifetime,
    ILogger<LiveForwarder> logger)
{
    public async Task ForwardAsync(HttpContext context)
    {
        // The connection runs once the pipeline has returned; without that middleware it would have nowhere to run.
        var opened = context.Features.Get<OpenedLiveConnection>()
            ?? throw new InvalidOperationException($"/ws needs {nameof(LiveTunnels.UseLiveTunnels)} early in the gateway's pipeline.");
        if (await OpenAsync(context) is (var client, var service))
        {
            opened.Client = client;
            opened.Service = service;
        }
    }

    /// <summary>The client's upgraded stream and the service's socket once the service has switched protocols; null when the client was answered otherwise.</summary>
    private async Task<(Stream Client, Socket Service)?> OpenAsync(HttpContext context)
    {
        // The service refuses these too; the gateway does not even pass them on.
        if (LiveRequestHead.HasCredentialInQuery(context.Request))
        {
            await ProblemAsync(context, StatusCodes.Status400BadRequest, "Credentials in the URL",
                "Send the token in the Authorization header or as the 'docaiche.bearer.<token>' subprotocol, never in the URL.");
            return null;
        }

        var upgrade = context.Features.Get<IHttpUpgradeFeature>() is { IsUpgradableRequest: true } feature ? feature : null;
        if (await AskAsync(context, upgrade is not null) is not (var asked, var answer))
        {
            return null;
        }
        Socket? socket = asked;
        try
        {
            if (answer.Status != StatusCodes.Status101SwitchingProtocols)
            {
                await RelayAsync(context, answer);
                return null;
            }
            if (upgrade is null)
            {
                // Asked without an upgrade, the service cannot switch: whatever answered is not the live endpoint.
                LogMalformedAnswer(logger, backend.Name);
                await ProblemAsync(context, StatusCodes.Status502BadGateway, LiveUnavailable, "The live-updates service answered in a way the gateway cannot forward.");
                return null;
            }

            foreach (var (name, value) in answer.EndToEndHeaders)
            {
                context.Response.Headers.Append(name, value);
            }
            var client = await upgrade.UpgradeAsync();
            // The WebSocket's first bytes (the service's welcome) may have come with the 101.
            if (answer.Content.Length > 0)
            {
                await client.WriteAsync(answer.Content, lifetime.ApplicationStopping);
            }
            var tunnel = (client, socket);
            socket = null;
            return tunnel;
        }
        catch (Exception exception) when (exception is IOException or OperationCanceledException or ObjectDisposedException)
        {
            // The client went away while it was being answered.
            return null;
        }
        finally
        {
            socket?.Dispose();
        }
    }

    /// <summary>
    /// Sends the opening request to the live endpoint and reads its answer, within
    /// <see cref="LiveForwardingOptions.HandshakeTimeout"/>. When that fails, the client has been
    /// answered (502, or 504 when the service was too slow) and the result is null.
    /// </summary>
    private async Task<(Socket Socket, LiveAnswer Answer)?> AskAsync(HttpContext context, bool upgrade)
    {
        var stopping = lifetime.ApplicationStopping;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, stopping);
        deadline.CancelAfter(options.Value.HandshakeTimeout);
        Socket? socket = null;
        try
        {
            (socket, var host) = await backend.ConnectAsync(deadline.Token);
            var request = LiveRequestHead.Write(context, host, upgrade);
            for (var sent = 0; sent < request.Length;)
            {
                sent += await socket.SendAsync(request.AsMemory(sent), SocketFlags.None, deadline.Token);
            }
            var answer = await LiveAnswer.ReadAsync(socket, deadline.Token);
            if (answer is null)
            {
                LogMalformedAnswer(logger, backend.Name);
                await ProblemAsync(context, StatusCodes.Status502BadGateway, LiveUnavailable, "The live-updates service answered in a way the gateway cannot forward.");
                return null;
            }
            var asked = (socket, answer);
            socket = null;
            return asked;
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested || stopping.IsCancellationRequested)
        {
            // The client went away, or the gateway is stopping.
            return null;
        }
        catch (OperationCanceledException)
        {
            LogNoAnswer(logger, backend.Name, options.Value.HandshakeTimeout);
            await ProblemAsync(context, StatusCodes.Status504GatewayTimeout, LiveUnavailable, "The live-updates service did not answer in time; connect again.");
            return null;
        }
        catch (Exception exception)
        {
            // Not found by discovery, refused, reset: to the client all the same.
            LogUnreachable(logger, backend.Name, exception);
            await ProblemAsync(context, StatusCodes.Status502BadGateway, LiveUnavailable, "The live-updates service cannot be reached; connect again.");
            return null;
        }
        finally
        {
            socket?.Dispose();
        }
    }

    private const string LiveUnavailable = "Live updates unavailable";

    /// <summary>The service's refusal as it wrote it: status, headers, problem body.</summary>
    private static async Task RelayAsync(HttpContext context, LiveAnswer answer)
    {
        var response = context.Response;
        response.StatusCode = answer.Status;
        foreach (var (name, value) in answer.EndToEndHeaders)
        {
            response.Headers.Append(name, value);
        }
        if (answer.Content.Length > 0)
        {
            response.ContentLength = answer.Content.Length;
            await response.Body.WriteAsync(answer.Content, context.RequestAborted);
        }
    }

    private static Task ProblemAsync(HttpContext context, int status, string title, string detail) =>
        Results.Problem(title: title, detail: detail, statusCode: status).ExecuteAsync(context);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Live connections cannot be forwarded: the websocket service's live endpoint {Backend} is unreachable")]
    private static partial void LogUnreachable(ILogger logger, string backend, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Live connections cannot be forwarded: the websocket service's live endpoint {Backend} did not answer within {Timeout}")]
    private static partial void LogNoAnswer(ILogger logger, string backend, TimeSpan timeout);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Live connections cannot be forwarded: the websocket service's live endpoint {Backend} answered with a malformed or oversized response")]
    private static partial void LogMalformedAnswer(ILogger logger, string backend);
}

public static class LiveForwardingApi
{
    /// <summary>Maps <c>/ws</c>: live-updates WebSockets, forwarded to the websocket service's live endpoint.</summary>
    public static IEndpointRouteBuilder MapLiveForwarding(this IEndpointRouteBuilder app)
    {
        var forwarder = app.ServiceProvider.GetRequiredService<LiveForwarder>();
        app.Map(DocAIche.Contracts.LiveUpdates.LiveEndpoint.Path, new RequestDelegate(forwarder.ForwardAsync))
            .WithName("LiveUpdates")
            .WithSummary("Opens a live-updates WebSocket (forwarded to the websocket service)")
            // The gateway authenticates to rate-limit by caller; the service authenticates and authorises the connection itself.
            .AllowAnonymous();
        return app;
    }
}
