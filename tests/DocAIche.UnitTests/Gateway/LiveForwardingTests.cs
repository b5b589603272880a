using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Security.Claims;
using System.Text;
using DocAIche.Gateway.Live;
using DocAIche.WebSocket.LiveUpdates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace DocAIche.UnitTests.Gateway;

/// <summary>The gateway's <c>/ws</c> endpoint on Kestrel, in front of a live endpoint that answers with the service's own handshake code.</summary>
public sealed class LiveForwardingTests
{
    private const string Key = "dGhlIHNhbXBsZSBub25jZQ==";

    /// <summary>
    /// The websocket service's live endpoint as the gateway sees it: the opening request is read with
    /// the service's parser and answered as the service answers (the token "good" is the only valid
    /// one); an accepted connection greets in the same write as its 101, then echoes text messages.
    /// </summary>
    private sealed class LiveService : IAsyncDisposable
    {
        private readonly Socket listener = Loopback.Listen();
        private readonly CancellationTokenSource stop = new();
        private readonly bool silent;
        private readonly Task accepting;
        private readonly List<string> heads = [];

        public LiveService(bool silent = false)
        {
            this.silent = silent;
            accepting = AcceptAsync();
        }

        public int Port => Loopback.Port(listener);

        /// <summary>The opening requests the gateway sent.</summary>
        public IReadOnlyList<string> Heads
        {
            get
            {
                lock (heads)
                {
                    return [.. heads];
                }
            }
        }

        private async Task AcceptAsync()
        {
            try
            {
                while (true)
                {
                    _ = ServeAsync(await listener.AcceptAsync(stop.Token));
                }
            }
            catch (Exception exception) when (exception is OperationCanceledException or SocketException or ObjectDisposedException)
            {
            }
        }

        private async Task ServeAsync(Socket socket)
        {
            using var _ = socket;
            try
            {
                var buffer = new byte[LiveHandshake.MaxRequestBytes];
                var received = 0;
                int end;
                while ((end = LiveHandshake.EndOfHead(buffer.AsSpan(0, received))) < 0)
                {
                    var read = await socket.ReceiveAsync(buffer.AsMemory(received), SocketFlags.None, stop.Token);
                    if (read == 0)
                    {
                        return;
                    }
                    received += read;
                }
                lock (heads)
                {
                    heads.Add(Encoding.ASCII.GetString(buffer, 0, end));
                }
                if (silent)
                {
                    await Task.Delay(Timeout.Infinite, stop.Token);
                }

                var (request, refusal) = LiveHandshake.Parse(buffer.AsSpan(0, end));
                if (request is not null && request.Token != "good")
                {
                    (request, refusal) = (null, LiveHandshake.Unauthenticated("The token is not valid."));
                }
                if (request is null)
                {
                    await Loopback.SendAsync(socket, refusal!.ToResponse());
                    socket.Shutdown(SocketShutdown.Send);
                    return;
                }

                await Loopback.SendAsync(socket, [.. LiveHandshake.Accept(request), .. TextFrame("welcome")]);
                using var webSocket = System.Net.WebSockets.WebSocket.CreateFromStream(new NetworkStream(socket), new WebSocketCreationOptions
                {
                    IsServer = true,
                    SubProtocol = request.OffersProtocol ? LiveProtocol.Name : null,
                });
                var message = new byte[1024];
                while (true)
                {
                    var result = await webSocket.ReceiveAsync(message, stop.Token);
                    if (result.MessageType == WebSocketMessageType.Close)
                    {
                        await webSocket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, stop.Token);
                        return;
                    }
                    await webSocket.SendAsync(Encoding.UTF8.GetBytes("echo:" + Encoding.UTF8.GetString(message, 0, result.Count)),
                        WebSocketMessageType.Text, true, stop.Token);
                }
            }
            catch (Exception exception) when (exception is OperationCanceledException or IOException or SocketException or WebSocketException)
            {
            }
        }

        /// <summary>An unmasked text frame, as a server sends it (short payloads only).</summary>
        private static byte[] TextFrame(string text) => [0x81, (byte)text.Length, .. Encoding.UTF8.GetBytes(text)];

        public async ValueTask DisposeAsync()
        {
            await stop.CancelAsync();
            listener.Dispose();
            await accepting;
            stop.Dispose();
        }
    }

    /// <summary>The gateway's live forwarding alone (no edge checks: those need Redis and the identity service) on a free loopback port.</summary>
    private sealed class Gateway(WebApplication app) : IAsyncDisposable
    {
        public Uri Address { get; } = new(app.Urls.Single());

        public Uri WebSocketAddress(string query = "") => new($"ws://{Address.Authority}/ws{query}");

        public IReadOnlyList<FakeLogRecord> Logs => app.Services.GetFakeLogCollector().GetSnapshot();

        /// <param name="edge">Middleware between the live tunnels and the endpoint, where the gateway's edge checks run.</param>
        public static async Task<Gateway> StartAsync(string backend, int? discoveredPort = null, TimeSpan? handshakeTimeout = null,
            Action<WebApplication>? edge = null)
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            builder.Logging.ClearProviders();
            builder.Logging.AddFakeLogging();
            builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.Information);
            builder.Configuration["Gateway:Live:Backend"] = backend;
            if (discoveredPort is { } port)
            {
                // Where the AppHost (services__websocket__live__0) or a Deployment says the live endpoint is.
                builder.Configuration["services:websocket:live:0"] = $"http://127.0.0.1:{port}";
            }
            if (handshakeTimeout is { } timeout)
            {
                builder.Configuration["Gateway:Live:HandshakeTimeout"] = timeout.ToString("c", CultureInfo.InvariantCulture);
            }
            builder.Services.AddServiceDiscovery();
            builder.AddSettings<LiveForwardingOptions>(LiveForwardingOptions.Section);
            builder.Services.AddSingleton<LiveBackend>();
            builder.Services.AddSingleton<LiveForwarder>();
            var app = builder.Build();
            app.UseLiveTunnels();
            edge?.Invoke(app);
            app.MapLiveForwarding();
            await app.StartAsync();
            return new Gateway(app);
        }

        public async ValueTask DisposeAsync()
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    private static HttpRequestMessage Opening(string? token)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/ws");
        request.Headers.Connection.Add("Upgrade");
        request.Headers.Upgrade.Add(new("websocket"));
        request.Headers.Add("Sec-WebSocket-Key", Key);
        request.Headers.Add("Sec-WebSocket-Version", "13");
        if (token is not null)
        {
            request.Headers.Authorization = new("Bearer", token);
        }
        return request;
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Loopback.Patience;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "The condition did not hold in time.");
            await Task.Delay(20);
        }
    }

    private static async Task<string> ReceiveTextAsync(ClientWebSocket socket)
    {
        using var timeout = new CancellationTokenSource(Loopback.Patience);
        var buffer = new byte[1024];
        var result = await socket.ReceiveAsync(buffer, timeout.Token);
        Assert.Equal(WebSocketMessageType.Text, result.MessageType);
        return Encoding.UTF8.GetString(buffer, 0, result.Count);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_websocket_through_the_gateway_is_the_services_own_from_its_subprotocol_and_first_message_to_its_close(bool discovered)
    {
        await using var service = new LiveService();
        await using var gateway = discovered
            ? await Gateway.StartAsync("http://_live.websocket", discoveredPort: service.Port)
            : await Gateway.StartAsync($"http://127.0.0.1:{service.Port}");
        using var socket = new ClientWebSocket();
        socket.Options.AddSubProtocol(LiveProtocol.Name);
        socket.Options.SetRequestHeader("Authorization", "Bearer good");
        using var timeout = new CancellationTokenSource(Loopback.Patience);

        await socket.ConnectAsync(gateway.WebSocketAddress(), timeout.Token);

        Assert.Equal(LiveProtocol.Name, socket.SubProtocol);
        Assert.Equal("welcome", await ReceiveTextAsync(socket));
        await socket.SendAsync("ping"u8.ToArray(), WebSocketMessageType.Text, true, timeout.Token);
        Assert.Equal("echo:ping", await ReceiveTextAsync(socket));
        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", timeout.Token);
        Assert.Equal(WebSocketCloseStatus.NormalClosure, socket.CloseStatus);

        // The request ends once the service has closed its side too; nothing may fail at the gateway on the way out.
        await WaitUntilAsync(() => gateway.Logs.Any(r => r.Message.StartsWith("Request finished", StringComparison.Ordinal)));
        Assert.DoesNotContain(gateway.Logs, r => r.Level >= LogLevel.Warning);
    }

    [Theory]
    [InlineData("/ws/")]
    [InlineData("/WS")]
    public async Task The_endpoints_other_spellings_open_a_connection_too(string path)
    {
        await using var service = new LiveService();
        await using var gateway = await Gateway.StartAsync($"http://127.0.0.1:{service.Port}");
        using var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Authorization", "Bearer good");
        using var timeout = new CancellationTokenSource(Loopback.Patience);

        await socket.ConnectAsync(new Uri($"ws://{gateway.Address.Authority}{path}"), timeout.Token);

        Assert.Equal("welcome", await ReceiveTextAsync(socket));
        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", timeout.Token);
    }

    [Fact]
    public async Task An_open_connection_no_longer_holds_the_callers_identity()
    {
        await using var service = new LiveService();
        var identities = new List<WeakReference<ClaimsPrincipal>>();
        await using var gateway = await Gateway.StartAsync($"http://127.0.0.1:{service.Port}", edge: app => app.Use(async (context, next) =>
        {
            // As the authentication middleware does: the caller's identity, kept by the middleware while the rest of the pipeline runs.
            var caller = new ClaimsPrincipal(new ClaimsIdentity([new Claim("sub", "someone")], "Bearer"));
            lock (identities)
            {
                identities.Add(new(caller));
            }
            context.User = caller;
            await next(context);
            GC.KeepAlive(caller);
        }));
        using var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Authorization", "Bearer good");
        using var timeout = new CancellationTokenSource(Loopback.Patience);
        await socket.ConnectAsync(gateway.WebSocketAddress(), timeout.Token);
        Assert.Equal("welcome", await ReceiveTextAsync(socket));

        var identity = Assert.Single(identities);
        await WaitUntilAsync(() =>
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            return !identity.TryGetTarget(out _);
        });

        // Let go of, while the connection goes on.
        await socket.SendAsync("ping"u8.ToArray(), WebSocketMessageType.Text, true, timeout.Token);
        Assert.Equal("echo:ping", await ReceiveTextAsync(socket));
        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", timeout.Token);
    }

    [Fact]
    public async Task The_services_refusal_reaches_the_client_as_the_service_wrote_it()
    {
        await using var service = new LiveService();
        await using var gateway = await Gateway.StartAsync($"http://127.0.0.1:{service.Port}");
        using var http = new HttpClient { BaseAddress = gateway.Address };
        var written = LiveHandshake.Unauthenticated("The token is not valid.").ToResponse();

        using var request = Opening("expired");
        using var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.ToString());
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(written[LiveAnswer.EndOfHead(written)..], await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task A_request_that_is_not_a_websocket_gets_the_services_426()
    {
        await using var service = new LiveService();
        await using var gateway = await Gateway.StartAsync($"http://127.0.0.1:{service.Port}");
        using var http = new HttpClient { BaseAddress = gateway.Address };

        using var response = await http.GetAsync("/ws");

        Assert.Equal(HttpStatusCode.UpgradeRequired, response.StatusCode);
        Assert.Equal("websocket", response.Headers.Upgrade.ToString());
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("Connection: close", Assert.Single(service.Heads), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_credential_in_the_url_is_refused_at_the_gateway_and_never_reaches_the_service()
    {
        await using var service = new LiveService();
        await using var gateway = await Gateway.StartAsync($"http://127.0.0.1:{service.Port}");
        using var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;

        await Assert.ThrowsAsync<WebSocketException>(() => socket.ConnectAsync(gateway.WebSocketAddress("?access_token=good"), CancellationToken.None));

        Assert.Equal(HttpStatusCode.BadRequest, socket.HttpStatusCode);
        Assert.Empty(service.Heads);
    }

    [Fact]
    public async Task An_unreachable_service_is_a_502_problem()
    {
        await using var gateway = await Gateway.StartAsync($"http://127.0.0.1:{Loopback.ClosedPort()}");
        using var http = new HttpClient { BaseAddress = gateway.Address };

        using var request = Opening("good");
        using var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task A_service_that_does_not_answer_in_time_is_a_504_problem()
    {
        await using var service = new LiveService(silent: true);
        await using var gateway = await Gateway.StartAsync($"http://127.0.0.1:{service.Port}", handshakeTimeout: TimeSpan.FromSeconds(1));
        using var http = new HttpClient { BaseAddress = gateway.Address };

        using var request = Opening("good");
        using var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }
}
