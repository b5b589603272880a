using System.Net.Sockets;
using System.Text;
using DocAIche.Gateway.Live;
using DocAIche.WebSocket.LiveUpdates;

namespace DocAIche.UnitTests.Gateway;

public sealed class LiveAnswerTests
{
    private const string Switched =
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
        "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\nSec-WebSocket-Protocol: docaiche.v1\r\n\r\n";

    /// <summary>What <see cref="LiveAnswer.ReadAsync"/> makes of these bytes sent by the service, in the pieces given.</summary>
    private static async Task<LiveAnswer?> ReadAsync(params byte[][] pieces)
    {
        var (gateway, service) = await Loopback.PairAsync();
        using (gateway)
        using (service)
        {
            var reading = LiveAnswer.ReadAsync(gateway, CancellationToken.None);
            foreach (var piece in pieces)
            {
                await Loopback.SendAsync(service, piece);
                await Task.Delay(20);
            }
            service.Shutdown(SocketShutdown.Send);
            return await reading.WaitAsync(Loopback.Patience);
        }
    }

    private static byte[] Ascii(string text) => Encoding.ASCII.GetBytes(text);

    [Fact]
    public async Task A_101_is_read_with_the_headers_that_finish_the_handshake_and_not_the_connections_own()
    {
        var answer = await ReadAsync(Ascii(Switched));

        Assert.Equal(101, answer!.Status);
        Assert.Equal(
            [new("Upgrade", "websocket"), new("Sec-WebSocket-Accept", "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="), new("Sec-WebSocket-Protocol", "docaiche.v1")],
            answer.EndToEndHeaders);
        Assert.Empty(answer.Content);
    }

    [Fact]
    public async Task The_websocket_bytes_that_came_with_the_101_are_kept_for_the_client()
    {
        byte[] welcome = [0x81, 0x05, .. "hello"u8];

        var answer = await ReadAsync([.. Ascii(Switched), .. welcome]);

        Assert.Equal(101, answer!.Status);
        Assert.Equal(welcome, answer.Content);
    }

    [Fact]
    public async Task The_services_refusal_is_read_with_its_headers_and_whole_problem_body_even_when_they_arrive_apart()
    {
        var refusal = LiveHandshake.Unauthenticated("The token is expired.").ToResponse();
        var headEnd = LiveAnswer.EndOfHead(refusal);

        var answer = await ReadAsync(refusal[..headEnd], refusal[headEnd..(headEnd + 10)], refusal[(headEnd + 10)..]);

        Assert.Equal(401, answer!.Status);
        Assert.Contains(new("WWW-Authenticate", "Bearer"), answer.EndToEndHeaders);
        Assert.Contains(new("Content-Type", "application/problem+json"), answer.EndToEndHeaders);
        Assert.DoesNotContain(answer.EndToEndHeaders, h => h.Key is "Content-Length" or "Connection");
        Assert.Equal(refusal[headEnd..], answer.Content);
    }

    [Fact]
    public async Task A_body_without_a_length_is_read_to_the_connections_end()
    {
        var answer = await ReadAsync(Ascii("HTTP/1.1 503 Service Unavailable\r\nRetry-After: 5\r\n\r\nfull"));

        Assert.Equal(503, answer!.Status);
        Assert.Contains(new("Retry-After", "5"), answer.EndToEndHeaders);
        Assert.Equal("full"u8.ToArray(), answer.Content);
    }

    [Fact]
    public async Task A_head_longer_than_the_bound_is_refused()
    {
        var endless = Ascii("HTTP/1.1 200 OK\r\nX-Padding: " + new string('a', LiveAnswer.MaxHeadBytes) + "\r\n\r\n");

        Assert.Null(await ReadAsync(endless));
    }

    [Fact]
    public async Task A_body_longer_than_the_bound_is_refused()
    {
        Assert.Null(await ReadAsync(Ascii($"HTTP/1.1 400 Bad Request\r\nContent-Length: {LiveAnswer.MaxBodyBytes + 1}\r\n\r\n{{}}")));
        Assert.Null(await ReadAsync(Ascii("HTTP/1.1 400 Bad Request\r\n\r\n" + new string('x', LiveAnswer.MaxBodyBytes + 1))));
    }

    [Fact]
    public async Task An_answer_cut_short_is_refused()
    {
        Assert.Null(await ReadAsync(Ascii("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n")));
        Assert.Null(await ReadAsync(Ascii("HTTP/1.1 401 Unauthorized\r\nContent-Length: 10\r\n\r\n{}")));
        Assert.Null(await ReadAsync());
    }

    [Theory]
    [InlineData("HTTP/2 101 Switching Protocols\r\n\r\n")]
    [InlineData("SSH-2.0-OpenSSH\r\n\r\n")]
    [InlineData("HTTP/1.1 1O1 Switching Protocols\r\n\r\n")]
    [InlineData("HTTP/1.1 100 Continue\r\n\r\n")]
    [InlineData("HTTP/1.1 700 Odd\r\n\r\n")]
    [InlineData("HTTP/1.1 101Switching\r\n\r\n")]
    [InlineData("HTTP/1.1 101 Switching Protocols\r\n Folded: line\r\n\r\n")]
    [InlineData("HTTP/1.1 101 Switching Protocols\r\nBad Name: value\r\n\r\n")]
    [InlineData("HTTP/1.1 101 Switching Protocols\r\nNo colon\r\n\r\n")]
    [InlineData("HTTP/1.1 101 Switching Protocols\r\nX-Control: a\u0001b\r\n\r\n")]
    [InlineData("HTTP/1.1 101 Switching Protocols\r\nX-Bare: a\nInjected: b\r\n\r\n")]
    [InlineData("HTTP/1.1 101 Switching Protocols\r\nX-Text: \u00e9\r\n\r\n")]
    [InlineData("HTTP/1.1 401 Unauthorized\r\nTransfer-Encoding: chunked\r\n\r\n")]
    [InlineData("HTTP/1.1 401 Unauthorized\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n")]
    [InlineData("HTTP/1.1 401 Unauthorized\r\nContent-Length: -2\r\n\r\n")]
    public void A_malformed_head_is_refused(string head) =>
        Assert.Null(LiveAnswer.ParseHead(Encoding.Latin1.GetBytes(head)));

    [Fact]
    public void A_head_is_complete_only_at_its_blank_line()
    {
        Assert.Equal(-1, LiveAnswer.EndOfHead("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"u8));
        Assert.Equal(19, LiveAnswer.EndOfHead("HTTP/1.1 200 OK\r\n\r\nbody"u8));
    }
}
