using System.Net.WebSockets;
using System.Security.Claims;
using System.Text;
using System.Threading.Channels;
using DocAIche.WebSocket.LiveUpdates;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace DocAIche.UnitTests.LiveUpdates;

public sealed class LiveConnectionsTests
{
    private static LiveCaller User(string tenant, string subject, params string[] roles) => LiveCaller.From(new ClaimsPrincipal(new ClaimsIdentity(
        [new Claim("tenant", tenant), new Claim("sub", subject), .. roles.Select(r => new Claim("role", r))], "test", "sub", "role")));

    private static LiveConnections Connections(int queue = 4) =>
        new(Options.Create(new LiveUpdateOptions { SendQueueLength = queue, SlowClientGrace = TimeSpan.FromMilliseconds(200) }), TimeProvider.System,
            NullLogger<LiveConnections>.Instance);

    private static LiveEvent Event(string topic = LiveTopics.Index) => new(Guid.NewGuid().ToString(), topic, "document.indexed", new { });

    [Fact]
    public async Task A_client_that_does_not_read_is_closed_for_policy_and_others_keep_receiving()
    {
        var connections = Connections(queue: 4);
        var slow = new ScriptedSocket(blockSends: true);
        var fast = new ScriptedSocket(blockSends: false);
        using var stop = new CancellationTokenSource();
        var slowServed = connections.ServeAsync(slow, User("a", "u1", "viewer"), stop.Token);
        var fastServed = connections.ServeAsync(fast, User("a", "u2", "viewer"), stop.Token);
        slow.Receive("""{"type":"subscribe","topic":"index"}""");
        fast.Receive("""{"type":"subscribe","topic":"index"}""");
        await fast.WaitForSentAsync(m => m.Contains("\"subscribed\"", StringComparison.Ordinal));
        await slow.WaitForSentAsync(m => m.Contains("\"subscribed\"", StringComparison.Ordinal));

        for (var i = 0; i < 20; i++)
        {
            // At a pace a reading client keeps up with; the one that stopped reading fills its queue of 4.
            connections.Publish("a", null, Event());
            await Task.Delay(10);
        }

        Assert.Equal(WebSocketCloseStatus.PolicyViolation, await slow.ClosedWith.Task.WaitAsync(TimeSpan.FromSeconds(10)));
        await fast.WaitForSentAsync(_ => fast.Sent.Count(m => m.Contains("document.indexed", StringComparison.Ordinal)) == 20);
        await stop.CancelAsync();
        await Task.WhenAll(slowServed, fastServed).WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Events_reach_only_the_subscribed_clients_of_their_tenant()
    {
        var connections = Connections();
        var subscribed = new ScriptedSocket(false);
        var otherTenant = new ScriptedSocket(false);
        var notSubscribed = new ScriptedSocket(false);
        using var stop = new CancellationTokenSource();
        var served = new[]
        {
            connections.ServeAsync(subscribed, User("a", "u1", "viewer"), stop.Token),
            connections.ServeAsync(otherTenant, User("b", "u2", "viewer"), stop.Token),
            connections.ServeAsync(notSubscribed, User("a", "u3", "viewer"), stop.Token),
        };
        subscribed.Receive("""{"type":"subscribe","topic":"jobs"}""");
        otherTenant.Receive("""{"type":"subscribe","topic":"jobs"}""");
        await subscribed.WaitForSentAsync(m => m.Contains("\"subscribed\"", StringComparison.Ordinal));
        await otherTenant.WaitForSentAsync(m => m.Contains("\"subscribed\"", StringComparison.Ordinal));

        connections.Publish("a", "job-1", Event(LiveTopics.Jobs));

        await subscribed.WaitForSentAsync(m => m.Contains("document.indexed", StringComparison.Ordinal));
        await Task.Delay(200);
        Assert.DoesNotContain(otherTenant.Sent, m => m.Contains("document.indexed", StringComparison.Ordinal));
        Assert.DoesNotContain(notSubscribed.Sent, m => m.Contains("document.indexed", StringComparison.Ordinal));
        await stop.CancelAsync();
        await Task.WhenAll(served).WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task A_stopping_instance_tells_every_client_to_reconnect_elsewhere()
    {
        var connections = Connections();
        var first = new ScriptedSocket(false);
        var second = new ScriptedSocket(false);
        var served = new[]
        {
            connections.ServeAsync(first, User("a", "u1", "viewer"), CancellationToken.None),
            connections.ServeAsync(second, User("b", "u2", "viewer"), CancellationToken.None),
        };
        await first.WaitForSentAsync(m => m.Contains("\"welcome\"", StringComparison.Ordinal));
        await second.WaitForSentAsync(m => m.Contains("\"welcome\"", StringComparison.Ordinal));

        await connections.GoingAwayAsync(TimeSpan.FromSeconds(5), CancellationToken.None);

        Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, await first.ClosedWith.Task);
        Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, await second.ClosedWith.Task);
        await Task.WhenAll(served).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(0, connections.Count);
    }

    [Fact]
    public void Replay_gives_what_came_after_the_last_seen_event_and_nothing_for_an_unknown_one()
    {
        var buffer = new ReplayBuffer(3, TimeSpan.FromMinutes(5));
        var now = DateTimeOffset.UtcNow;
        for (var i = 1; i <= 4; i++)
        {
            buffer.Add(new PublishedEvent(i, $"e{i}", "a", LiveTopics.Index, null, Array.Empty<byte>(), now));
        }

        Assert.Equal(["e3", "e4"], buffer.After("e2", "a", _ => true)!.Select(e => e.Id));
        Assert.Null(buffer.After("e1", "a", _ => true)); // pushed out by the capacity of 3
        Assert.Empty(buffer.After("e2", "b", _ => true)!);
    }

    [Fact]
    public void The_replay_buffer_tells_a_new_event_from_one_it_already_holds()
    {
        var buffer = new ReplayBuffer(3, TimeSpan.FromMinutes(5));
        var now = DateTimeOffset.UtcNow;
        PublishedEvent Published(long sequence, string id) => new(sequence, id, "a", LiveTopics.Index, null, Array.Empty<byte>(), now);

        Assert.True(buffer.Add(Published(1, "e1")));
        Assert.False(buffer.Add(Published(2, "e1")));
        Assert.Equal(1, buffer.Count);
        Assert.True(buffer.Add(Published(3, "e2")));
        Assert.Equal(["e2"], buffer.After("e1", "a", _ => true)!.Select(e => e.Id)); // the repeat was not kept either
        Assert.True(new ReplayBuffer(0, TimeSpan.FromMinutes(5)).Add(Published(4, "e1"))); // no replay: nothing to compare with
    }

    [Fact]
    public async Task An_event_delivered_twice_reaches_its_clients_once()
    {
        var connections = Connections();
        var client = new ScriptedSocket(false);
        using var stop = new CancellationTokenSource();
        var served = connections.ServeAsync(client, User("a", "u1", "viewer"), stop.Token);
        client.Receive("""{"type":"subscribe","topic":"index"}""");
        await client.WaitForSentAsync(m => m.Contains("\"subscribed\"", StringComparison.Ordinal));
        var redelivered = Event();

        connections.Publish("a", null, redelivered);
        connections.Publish("a", null, redelivered);
        connections.Publish("a", null, Event());

        await client.WaitForSentAsync(_ => client.Sent.Count(m => m.Contains("document.indexed", StringComparison.Ordinal)) == 2);
        await Task.Delay(200);
        lock (client.Sent)
        {
            Assert.Single(client.Sent, m => m.Contains(redelivered.Id, StringComparison.Ordinal));
            Assert.Equal(2, client.Sent.Count(m => m.Contains("document.indexed", StringComparison.Ordinal)));
        }
        await stop.CancelAsync();
        await served.WaitAsync(TimeSpan.FromSeconds(10));
    }

    /// <summary>A WebSocket whose received messages the test scripts and whose sends it records (or blocks).</summary>
    private sealed class ScriptedSocket(bool blockSends) : System.Net.WebSockets.WebSocket
    {
        private readonly Channel<string> incoming = Channel.CreateUnbounded<string>();
        private readonly TaskCompletionSource never = new();
        private WebSocketState state = WebSocketState.Open;

        public List<string> Sent { get; } = [];

        public TaskCompletionSource<WebSocketCloseStatus> ClosedWith { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Receive(string message) => incoming.Writer.TryWrite(message);

        public async Task WaitForSentAsync(Func<string, bool> condition)
        {
            for (var i = 0; i < 200; i++)
            {
                lock (Sent)
                {
                    if (Sent.Any(condition))
                    {
                        return;
                    }
                }
                await Task.Delay(25);
            }
            Assert.Fail("The expected message was not sent.");
        }

        public override WebSocketCloseStatus? CloseStatus => ClosedWith.Task.IsCompleted ? ClosedWith.Task.Result : null;

        public override string? CloseStatusDescription => null;

        public override WebSocketState State => state;

        public override string? SubProtocol => null;

        public override void Abort() => state = WebSocketState.Aborted;

        public override Task CloseAsync(WebSocketCloseStatus closeStatus, string? statusDescription, CancellationToken cancellationToken) =>
            CloseOutputAsync(closeStatus, statusDescription, cancellationToken);

        public override Task CloseOutputAsync(WebSocketCloseStatus closeStatus, string? statusDescription, CancellationToken cancellationToken)
        {
            state = WebSocketState.CloseSent;
            ClosedWith.TrySetResult(closeStatus);
            incoming.Writer.TryComplete();
            return Task.CompletedTask;
        }

        public override void Dispose()
        {
        }

        public override async Task<WebSocketReceiveResult> ReceiveAsync(ArraySegment<byte> buffer, CancellationToken cancellationToken)
        {
            try
            {
                if (buffer.Count == 0)
                {
                    // A zero-byte read waits for data without taking it.
                    return await incoming.Reader.WaitToReadAsync(cancellationToken)
                        ? new WebSocketReceiveResult(0, WebSocketMessageType.Text, false)
                        : new WebSocketReceiveResult(0, WebSocketMessageType.Close, true);
                }
                var message = await incoming.Reader.ReadAsync(cancellationToken);
                var bytes = Encoding.UTF8.GetBytes(message);
                bytes.CopyTo(buffer.Array!, buffer.Offset);
                return new WebSocketReceiveResult(bytes.Length, WebSocketMessageType.Text, true);
            }
            catch (ChannelClosedException)
            {
                return new WebSocketReceiveResult(0, WebSocketMessageType.Close, true);
            }
        }

        public override async Task SendAsync(ArraySegment<byte> buffer, WebSocketMessageType messageType, bool endOfMessage, CancellationToken cancellationToken)
        {
            // A slow client takes the welcome and the subscription's answer, then stops reading.
            if (blockSends && Sent.Count >= 2)
            {
                await never.Task.WaitAsync(cancellationToken);
            }
            lock (Sent)
            {
                Sent.Add(Encoding.UTF8.GetString(buffer.AsSpan()));
            }
        }
    }
}
