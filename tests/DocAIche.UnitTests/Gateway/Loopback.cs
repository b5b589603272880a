using System.Net;
using System.Net.Sockets;
using System.Text;

namespace DocAIche.UnitTests.Gateway;

/// <summary>TCP connections on 127.0.0.1, for tests that need real sockets between two ends.</summary>
internal static class Loopback
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    /// <summary>A listening socket on a free port.</summary>
    public static Socket Listen()
    {
        var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(16);
        return listener;
    }

    public static int Port(Socket listener) => ((IPEndPoint)listener.LocalEndPoint!).Port;

    /// <summary>A port nothing listens on.</summary>
    public static int ClosedPort()
    {
        using var listener = Listen();
        return Port(listener);
    }

    /// <summary>Both ends of one connection: the one that connected and the one that accepted.</summary>
    public static async Task<(Socket Connected, Socket Accepted)> PairAsync()
    {
        using var listener = Listen();
        var connected = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await connected.ConnectAsync(listener.LocalEndPoint!);
        var accepted = await listener.AcceptAsync();
        return (connected, accepted);
    }

    public static async Task SendAsync(Socket socket, string ascii) => await SendAsync(socket, Encoding.ASCII.GetBytes(ascii));

    public static async Task SendAsync(Socket socket, byte[] bytes)
    {
        for (var sent = 0; sent < bytes.Length;)
        {
            sent += await socket.SendAsync(bytes.AsMemory(sent), SocketFlags.None);
        }
    }

    /// <summary>Exactly <paramref name="count"/> bytes, or fewer if the other end closes first.</summary>
    public static async Task<byte[]> ReceiveAsync(Socket socket, int count)
    {
        using var timeout = new CancellationTokenSource(Patience);
        var buffer = new byte[count];
        var received = 0;
        while (received < count)
        {
            var read = await socket.ReceiveAsync(buffer.AsMemory(received), SocketFlags.None, timeout.Token);
            if (read == 0)
            {
                break;
            }
            received += read;
        }
        return buffer[..received];
    }

    /// <summary>Everything until the other end closes.</summary>
    public static async Task<byte[]> ReceiveToEndAsync(Socket socket)
    {
        using var timeout = new CancellationTokenSource(Patience);
        using var all = new MemoryStream();
        var buffer = new byte[8192];
        int read;
        while ((read = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token)) > 0)
        {
            all.Write(buffer, 0, read);
        }
        return all.ToArray();
    }

    /// <summary>Whether the other end closed (a read returns nothing, or the connection was reset) within the patience.</summary>
    public static async Task<bool> ClosedAsync(Socket socket)
    {
        using var timeout = new CancellationTokenSource(Patience);
        var buffer = new byte[8192];
        try
        {
            while (await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token) > 0)
            {
            }
            return true;
        }
        catch (SocketException)
        {
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
