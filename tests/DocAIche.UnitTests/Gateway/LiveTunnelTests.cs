using System.Net.Sockets;
using System.Security.Cryptography;
using DocAIche.Gateway.Live;
using Microsoft.Extensions.Logging.Abstractions;

namespace DocAIche.UnitTests.Gateway;

public sealed class LiveTunnelTests
{
    /// <summary>
    /// A tunnel between two real loopback connections: <see cref="Client"/> is the client's end of its
    /// connection to the gateway, <see cref="Service"/> the service's end of the gateway's connection to it.
    /// </summary>
    private sealed class Tunnel(Socket client, Socket service) : IAsyncDisposable
    {
        private readonly CancellationTokenSource stopping = new();

        public Socket Client => client;
        public Socket Service => service;
        public Task Running { get; private set; } = Task.CompletedTask;

        public static async Task<Tunnel> OpenAsync()
        {
            var (client, gatewayFromClient) = await Loopback.PairAsync();
            var (gatewayToService, service) = await Loopback.PairAsync();
            var tunnel = new Tunnel(client, service);
            tunnel.Running = RunAsKestrelDoesAsync(new NetworkStream(gatewayFromClient, ownsSocket: true), gatewayToService, tunnel.stopping.Token);
            return tunnel;
        }

        public Task StopGatewayAsync() => stopping.CancelAsync();

        // Kestrel closes the client's connection when the request that was upgraded ends.
        private static async Task RunAsKestrelDoesAsync(Stream client, Socket service, CancellationToken stopping)
        {
            await LiveTunnel.RunAsync(client, service, NullLogger.Instance, stopping);
            await client.DisposeAsync();
        }

        public async ValueTask DisposeAsync()
        {
            await stopping.CancelAsync();
            Client.Dispose();
            Service.Dispose();
            await Running.WaitAsync(Loopback.Patience);
            stopping.Dispose();
        }
    }

    [Fact]
    public async Task Bytes_flow_both_ways()
    {
        await using var tunnel = await Tunnel.OpenAsync();

        await Loopback.SendAsync(tunnel.Client, "subscribe");
        Assert.Equal("subscribe"u8.ToArray(), await Loopback.ReceiveAsync(tunnel.Service, 9));
        await Loopback.SendAsync(tunnel.Service, "event");
        Assert.Equal("event"u8.ToArray(), await Loopback.ReceiveAsync(tunnel.Client, 5));
    }

    [Fact]
    public async Task Many_chunks_arrive_whole_and_in_order_both_ways_at_once()
    {
        await using var tunnel = await Tunnel.OpenAsync();
        var up = RandomNumberGenerator.GetBytes(1024 * 1024 + 7);
        var down = RandomNumberGenerator.GetBytes(1024 * 1024 + 13);

        var sending = Task.WhenAll(Loopback.SendAsync(tunnel.Client, up), Loopback.SendAsync(tunnel.Service, down));
        var received = await Task.WhenAll(Loopback.ReceiveAsync(tunnel.Service, up.Length), Loopback.ReceiveAsync(tunnel.Client, down.Length));
        await sending;

        Assert.Equal(up, received[0]);
        Assert.Equal(down, received[1]);
    }

    [Fact]
    public async Task When_the_service_closes_the_clients_connection_closes_after_what_was_sent()
    {
        await using var tunnel = await Tunnel.OpenAsync();

        await Loopback.SendAsync(tunnel.Service, "going away");
        tunnel.Service.Shutdown(SocketShutdown.Both);
        tunnel.Service.Close();

        Assert.Equal("going away"u8.ToArray(), await Loopback.ReceiveToEndAsync(tunnel.Client));
        await tunnel.Running.WaitAsync(Loopback.Patience);
    }

    [Fact]
    public async Task When_the_client_stops_sending_the_service_is_told_and_the_tunnel_ends_when_it_closes_in_turn()
    {
        await using var tunnel = await Tunnel.OpenAsync();

        await Loopback.SendAsync(tunnel.Client, "bye");
        tunnel.Client.Shutdown(SocketShutdown.Send);

        Assert.Equal("bye"u8.ToArray(), await Loopback.ReceiveToEndAsync(tunnel.Service));
        Assert.False(tunnel.Running.IsCompleted);
        tunnel.Service.Close();
        await tunnel.Running.WaitAsync(Loopback.Patience);
        Assert.True(await Loopback.ClosedAsync(tunnel.Client));
    }

    [Fact]
    public async Task A_client_connection_reset_ends_the_tunnel_quietly_and_closes_the_services()
    {
        await using var tunnel = await Tunnel.OpenAsync();

        // Closing with a zero linger resets the connection instead of ending it.
        tunnel.Client.LingerState = new LingerOption(true, 0);
        tunnel.Client.Close();

        await tunnel.Running.WaitAsync(Loopback.Patience);
        Assert.True(await Loopback.ClosedAsync(tunnel.Service));
    }

    [Fact]
    public async Task A_stopping_gateway_closes_both_connections_so_clients_reconnect()
    {
        await using var tunnel = await Tunnel.OpenAsync();

        await tunnel.StopGatewayAsync();

        await tunnel.Running.WaitAsync(Loopback.Patience);
        Assert.True(await Loopback.ClosedAsync(tunnel.Client));
        Assert.True(await Loopback.ClosedAsync(tunnel.Service));
    }
}
