using System.Text;
using System.Text.Json;
using DocAIche.WebSocket.LiveUpdates;

namespace DocAIche.UnitTests.LiveUpdates;

public sealed class LiveHandshakeTests
{
    // The sample nonce of RFC 6455 section 1.3, whose accept value the RFC gives.
    private const string SampleKey = "dGhlIHNhbXBsZSBub25jZQ==";

    private static (UpgradeRequest? Request, HandshakeRefusal? Refusal) Parse(string target = "/ws", string method = "GET", params string[] headers)
    {
        var lines = new List<string> { $"{method} {target} HTTP/1.1", "Host: 127.0.0.1:5000" };
        lines.AddRange(headers.Length > 0 ? headers : Upgrade("Authorization: Bearer abc.def.ghi"));
        var head = Encoding.ASCII.GetBytes(string.Join("\r\n", lines) + "\r\n\r\n");
        Assert.Equal(head.Length, LiveHandshake.EndOfHead(head));
        return LiveHandshake.Parse(head);
    }

    private static string[] Upgrade(params string[] more) =>
        ["Upgrade: websocket", "Connection: keep-alive, Upgrade", "Sec-WebSocket-Version: 13", $"Sec-WebSocket-Key: {SampleKey}", .. more];

    [Fact]
    public void A_websocket_request_with_a_bearer_token_is_accepted_with_the_rfc_accept_value()
    {
        var (request, refusal) = Parse();

        Assert.Null(refusal);
        Assert.Equal("abc.def.ghi", request!.Token);
        Assert.False(request.OffersProtocol);
        var response = Encoding.ASCII.GetString(LiveHandshake.Accept(request));
        Assert.StartsWith("HTTP/1.1 101 Switching Protocols\r\n", response, StringComparison.Ordinal);
        Assert.Contains("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n", response, StringComparison.Ordinal);
        Assert.DoesNotContain("Sec-WebSocket-Protocol", response, StringComparison.Ordinal);
        Assert.EndsWith("\r\n\r\n", response, StringComparison.Ordinal);
    }

    [Fact]
    public void A_browser_token_comes_from_the_subprotocol_and_only_the_protocol_name_is_echoed()
    {
        var (request, _) = Parse(headers: Upgrade("Sec-WebSocket-Protocol: docaiche.v1, docaiche.bearer.abc.def.ghi"));

        Assert.Equal("abc.def.ghi", request!.Token);
        var response = Encoding.ASCII.GetString(LiveHandshake.Accept(request));
        Assert.Contains("Sec-WebSocket-Protocol: docaiche.v1\r\n", response, StringComparison.Ordinal);
        Assert.DoesNotContain("abc.def.ghi", response, StringComparison.Ordinal);
    }

    [Fact]
    public void A_request_without_a_token_parses_and_is_left_to_authentication()
    {
        var (request, refusal) = Parse(headers: Upgrade());
        Assert.Null(refusal);
        Assert.Null(request!.Token);
    }

    [Theory]
    [InlineData("/ws?access_token=abc")]
    [InlineData("/ws?x=1&Token=abc")]
    [InlineData("/ws?api%5Fkey=abc")]
    public void A_credential_in_the_url_is_refused_even_next_to_a_valid_header(string target)
    {
        var (request, refusal) = Parse(target);
        Assert.Null(request);
        Assert.Equal(400, refusal!.Status);
        Assert.Equal("Credentials in the URL", refusal.Title);
    }

    [Fact]
    public void Other_query_parameters_are_allowed() => Assert.Null(Parse("/ws?client=cli&v=2").Refusal);

    [Theory]
    [InlineData("/api/v1/libraries", "GET", 404)]
    [InlineData("/", "GET", 404)]
    [InlineData("/ws", "POST", 405)]
    public void Only_a_get_of_ws_is_served(string target, string method, int status) =>
        Assert.Equal(status, Parse(target, method).Refusal!.Status);

    [Fact]
    public void A_plain_http_request_is_told_to_upgrade()
    {
        var refusal = Parse(headers: ["Authorization: Bearer abc"]).Refusal!;
        Assert.Equal(426, refusal.Status);
        Assert.Contains(refusal.Headers!, h => h.Key == "Upgrade" && h.Value == "websocket");
    }

    [Fact]
    public void Another_websocket_version_is_told_which_one_is_spoken()
    {
        var refusal = Parse(headers: ["Upgrade: websocket", "Connection: Upgrade", "Sec-WebSocket-Version: 8", $"Sec-WebSocket-Key: {SampleKey}"]).Refusal!;
        Assert.Equal(426, refusal.Status);
        Assert.Contains(refusal.Headers!, h => h.Key == "Sec-WebSocket-Version" && h.Value == "13");
    }

    [Theory]
    [InlineData("Sec-WebSocket-Key: short")]
    [InlineData("Sec-WebSocket-Key: not base64 at all, not at all!")]
    public void A_key_that_is_not_a_16_byte_nonce_is_refused(string key)
    {
        var refusal = Parse(headers: ["Upgrade: websocket", "Connection: Upgrade", "Sec-WebSocket-Version: 13", key]).Refusal!;
        Assert.Equal(400, refusal.Status);
    }

    [Theory]
    [InlineData(" folded: continuation")]
    [InlineData("Bad Name: value")]
    [InlineData("no colon here")]
    public void Malformed_header_lines_are_refused(string line) =>
        Assert.Equal(400, Parse(headers: Upgrade(line)).Refusal!.Status);

    [Fact]
    public void Two_keys_are_refused_rather_than_one_picked() =>
        Assert.Equal(400, Parse(headers: Upgrade("Sec-WebSocket-Key: AQIDBAUGBwgJCgsMDQ4PEA==")).Refusal!.Status);

    [Fact]
    public void An_incomplete_head_is_not_parsed_yet() =>
        Assert.Equal(-1, LiveHandshake.EndOfHead("GET /ws HTTP/1.1\r\nHost: x\r\n"u8));

    [Fact]
    public void A_refusal_is_an_http_response_with_a_problem_body_and_closes_the_connection()
    {
        var response = Encoding.ASCII.GetString(LiveHandshake.Unauthenticated("The access token is not valid.").ToResponse());
        var split = response.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        var (head, body) = (response[..split], response[(split + 4)..]);

        Assert.StartsWith("HTTP/1.1 401 Unauthorized\r\n", head, StringComparison.Ordinal);
        Assert.Contains("Content-Type: application/problem+json", head, StringComparison.Ordinal);
        Assert.Contains("Connection: close", head, StringComparison.Ordinal);
        Assert.Contains("WWW-Authenticate: Bearer", head, StringComparison.Ordinal);
        Assert.Contains($"Content-Length: {Encoding.UTF8.GetByteCount(body)}", head, StringComparison.Ordinal);
        using var problem = JsonDocument.Parse(body);
        Assert.Equal(401, problem.RootElement.GetProperty("status").GetInt32());
        Assert.Equal("Unauthorized", problem.RootElement.GetProperty("title").GetString());
        Assert.Equal("The access token is not valid.", problem.RootElement.GetProperty("detail").GetString());
    }
}
