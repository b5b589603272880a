using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace DocAIche.IntegrationTests.Support;

/// <summary>A live-updates client as an application writes one: connect, subscribe, read JSON messages.</summary>
public sealed class LiveClient : IAsyncDisposable
{
    private static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(60);
    private readonly ClientWebSocket socket;

    private LiveClient(ClientWebSocket socket) => this.socket = socket;

    public ClientWebSocket Socket => socket;

    /// <summary>Connects with the token in the Authorization header (as a server-side client does), or as a browser does.</summary>
    public static async Task<LiveClient> ConnectAsync(Uri gateway, string? bearer = null, string? apiKey = null, bool asBrowser = false, string query = "")
    {
        var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        if (asBrowser)
        {
            socket.Options.AddSubProtocol("docaiche.v1");
            socket.Options.AddSubProtocol("docaiche.bearer." + bearer);
        }
        else if (bearer is not null)
        {
            socket.Options.SetRequestHeader("Authorization", $"Bearer {bearer}");
        }
        if (apiKey is not null)
        {
            socket.Options.SetRequestHeader("X-Api-Key", apiKey);
        }
        await socket.ConnectAsync(new Uri($"ws://{gateway.Authority}/ws{query}"), CancellationToken.None);
        var client = new LiveClient(socket);
        Assert.Equal("welcome", (await client.ReceiveAsync()).GetProperty("type").GetString());
        return client;
    }

    /// <summary>The HTTP status a refused connection got.</summary>
    public static async Task<HttpStatusCode> RefusalAsync(Uri gateway, string? bearer = null, bool asBrowser = false, string query = "")
    {
        using var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        if (asBrowser)
        {
            socket.Options.AddSubProtocol("docaiche.v1");
            socket.Options.AddSubProtocol("docaiche.bearer." + bearer);
        }
        else if (bearer is not null)
        {
            socket.Options.SetRequestHeader("Authorization", $"Bearer {bearer}");
        }
        await Assert.ThrowsAsync<WebSocketException>(() => socket.ConnectAsync(new Uri($"ws://{gateway.Authority}/ws{query}"), CancellationToken.None));
        return socket.HttpStatusCode;
    }

    public Task SendAsync(object message) =>
        socket.SendAsync(JsonSerializer.SerializeToUtf8Bytes(message, GatewayClient.Json), WebSocketMessageType.Text, true, CancellationToken.None);

    public Task SendRawAsync(string text) =>
        socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, CancellationToken.None);

    /// <summary>Subscribes and returns the acknowledgement.</summary>
    public async Task<JsonElement> SubscribeAsync(string topic, string? jobId = null, string? lastEventId = null)
    {
        await SendAsync(new { type = "subscribe", topic, jobId, lastEventId });
        return await ReceiveAsync(m => m.GetProperty("type").GetString() is "subscribed" or "error");
    }

    /// <summary>The next message (that <paramref name="wanted"/> accepts); fails on a close.</summary>
    public async Task<JsonElement> ReceiveAsync(Func<JsonElement, bool>? wanted = null)
    {
        using var timeout = new CancellationTokenSource(ReadTimeout);
        var buffer = new byte[256 * 1024];
        while (true)
        {
            var received = 0;
            ValueWebSocketReceiveResult result;
            do
            {
                result = await socket.ReceiveAsync(buffer.AsMemory(received), timeout.Token);
                received += result.Count;
            }
            while (!result.EndOfMessage);
            Assert.True(result.MessageType != WebSocketMessageType.Close, $"Closed: {socket.CloseStatus} {socket.CloseStatusDescription}");
            var message = JsonDocument.Parse(buffer.AsMemory(0, received)).RootElement.Clone();
            if (wanted is null || wanted(message))
            {
                return message;
            }
        }
    }

    /// <summary>Reads until the server closes; returns the close status.</summary>
    public async Task<WebSocketCloseStatus?> ClosedAsync()
    {
        using var timeout = new CancellationTokenSource(ReadTimeout);
        var buffer = new byte[64 * 1024];
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer.AsMemory(), timeout.Token);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return socket.CloseStatus;
            }
        }
    }

    /// <summary>Whether any message arrives within <paramref name="quiet"/> that <paramref name="wanted"/> accepts.</summary>
    public async Task<bool> ReceivesWithinAsync(TimeSpan quiet, Func<JsonElement, bool> wanted)
    {
        using var timeout = new CancellationTokenSource(quiet);
        var buffer = new byte[256 * 1024];
        try
        {
            while (true)
            {
                var received = 0;
                ValueWebSocketReceiveResult result;
                do
                {
                    result = await socket.ReceiveAsync(buffer.AsMemory(received), timeout.Token);
                    received += result.Count;
                }
                while (!result.EndOfMessage);
                if (result.MessageType != WebSocketMessageType.Close && wanted(JsonDocument.Parse(buffer.AsMemory(0, received)).RootElement))
                {
                    return true;
                }
            }
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (socket.State == WebSocketState.Open)
        {
            try
            {
                await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None);
            }
            catch (WebSocketException)
            {
            }
        }
        socket.Dispose();
    }
}
