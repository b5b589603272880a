using System.Diagnostics;
using System.Net;
using System.Text;
using DocAIche.Gateway.Live;
using Microsoft.AspNetCore.Http;

namespace DocAIche.UnitTests.Gateway;

public sealed class LiveRequestHeadTests
{
    private const string Service = "127.0.0.1:5001";

    private static DefaultHttpContext Request(params (string Name, string Value)[] headers)
    {
        var context = new DefaultHttpContext();
        context.Request.Method = "GET";
        context.Request.Scheme = "https";
        context.Request.Host = new HostString("docs.example.test");
        context.Request.Path = "/ws";
        context.Connection.RemoteIpAddress = IPAddress.Parse("127.0.0.9");
        foreach (var (name, value) in headers)
        {
            context.Request.Headers.Append(name, value);
        }
        return context;
    }

    private static (string Name, string Value)[] Handshake(params (string Name, string Value)[] more) =>
    [
        ("Upgrade", "websocket"), ("Connection", "keep-alive, Upgrade"), ("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="),
        ("Sec-WebSocket-Version", "13"), .. more,
    ];

    private static string[] Lines(HttpContext context, bool upgrade = true)
    {
        var head = Encoding.ASCII.GetString(LiveRequestHead.Write(context, Service, upgrade));
        Assert.EndsWith("\r\n\r\n", head, StringComparison.Ordinal);
        return head[..^4].Split("\r\n");
    }

    [Fact]
    public void An_upgrade_asks_the_service_at_the_live_path_with_the_clients_query_and_the_service_as_host()
    {
        var context = Request(Handshake());
        context.Request.QueryString = new QueryString("?client=cli&v=2");

        var lines = Lines(context);

        Assert.Equal("GET /ws?client=cli&v=2 HTTP/1.1", lines[0]);
        Assert.Contains($"Host: {Service}", lines);
        Assert.Contains("Connection: Upgrade", lines);
        Assert.Contains("Upgrade: websocket", lines);
        Assert.Single(lines, l => l.StartsWith("Host:", StringComparison.OrdinalIgnoreCase));
        Assert.Single(lines, l => l.StartsWith("Connection:", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void The_handshake_the_credentials_and_the_callers_origin_are_passed_as_sent()
    {
        var lines = Lines(Request(Handshake(
            ("Sec-WebSocket-Protocol", "docaiche.v1, docaiche.bearer.abc.def.ghi"), ("Sec-WebSocket-Extensions", "permessage-deflate"),
            ("Authorization", "Bearer abc.def.ghi"), ("Origin", "https://app.example.test"), ("User-Agent", "docaiche-cli/2"),
            ("X-Correlation-Id", "order-4711"))));

        Assert.Contains("Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==", lines);
        Assert.Contains("Sec-WebSocket-Version: 13", lines);
        Assert.Contains("Sec-WebSocket-Protocol: docaiche.v1, docaiche.bearer.abc.def.ghi", lines);
        Assert.Contains("Sec-WebSocket-Extensions: permessage-deflate", lines);
        Assert.Contains("Authorization: Bearer abc.def.ghi", lines);
        Assert.Contains("Origin: https://app.example.test", lines);
        Assert.Contains("User-Agent: docaiche-cli/2", lines);
        Assert.Contains("X-Correlation-Id: order-4711", lines);
    }

    [Fact]
    public void Headers_the_service_does_not_read_stay_at_the_gateway()
    {
        var lines = Lines(Request(Handshake(("Cookie", "session=secret"), ("X-Api-Key", "dk_left_over"), ("Accept-Encoding", "gzip"),
            ("Proxy-Authorization", "Basic eDp5"), ("Content-Length", "0"))));

        Assert.DoesNotContain(lines, l => l.StartsWith("Cookie:", StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain(lines, l => l.StartsWith("X-Api-Key:", StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain(lines, l => l.StartsWith("Accept-Encoding:", StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain(lines, l => l.StartsWith("Proxy-Authorization:", StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain(lines, l => l.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void The_caller_is_named_in_forwarded_headers_and_its_own_claims_about_earlier_hops_are_replaced()
    {
        var lines = Lines(Request(Handshake(("X-Forwarded-For", "127.0.0.66"), ("X-Forwarded-Host", "elsewhere.example.test"))));

        Assert.Contains("X-Forwarded-For: 127.0.0.9", lines);
        Assert.Contains("X-Forwarded-Proto: https", lines);
        Assert.Contains("X-Forwarded-Host: docs.example.test", lines);
        Assert.Single(lines, l => l.StartsWith("X-Forwarded-For:", StringComparison.OrdinalIgnoreCase));
        Assert.Single(lines, l => l.StartsWith("X-Forwarded-Host:", StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain(lines, l => l.StartsWith("X-Forwarded-Prefix:", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void A_request_that_cannot_upgrade_is_passed_plain_and_closes_after_the_answer()
    {
        var lines = Lines(Request(("Authorization", "Bearer abc.def.ghi")), upgrade: false);

        Assert.Contains("Connection: close", lines);
        Assert.DoesNotContain(lines, l => l.StartsWith("Upgrade:", StringComparison.OrdinalIgnoreCase));
        Assert.Contains("Authorization: Bearer abc.def.ghi", lines);
    }

    [Fact]
    public void Repeated_headers_stay_repeated_so_the_service_can_refuse_them()
    {
        var lines = Lines(Request(Handshake(("Sec-WebSocket-Version", "8"))));

        Assert.Equal(["Sec-WebSocket-Version: 13", "Sec-WebSocket-Version: 8"], lines.Where(l => l.StartsWith("Sec-WebSocket-Version:", StringComparison.Ordinal)));
    }

    [Theory]
    [InlineData("Bearer abc\r\nX-Injected: 1")]
    [InlineData("Bearer abc\nX-Injected: 1")]
    [InlineData("Bearer abc\0")]
    [InlineData("Bearer äbc")]
    public void A_value_that_could_end_the_line_early_is_not_written(string authorization)
    {
        var lines = Lines(Request(Handshake(("Authorization", authorization))));

        Assert.DoesNotContain(lines, l => l.StartsWith("Authorization:", StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain(lines, l => l.StartsWith("X-Injected", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void The_trace_continues_from_the_gateways_request()
    {
        using var activity = new Activity("gateway request").SetIdFormat(ActivityIdFormat.W3C).Start();

        var lines = Lines(Request(Handshake(("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"))));

        Assert.Contains($"traceparent: {activity.Id}", lines);
        Assert.Single(lines, l => l.StartsWith("traceparent:", StringComparison.OrdinalIgnoreCase));
    }

    [Theory]
    [InlineData("?access_token=abc", true)]
    [InlineData("?x=1&Token=abc", true)]
    [InlineData("?api%5Fkey=abc", true)]
    [InlineData("?key", true)]
    [InlineData("?client=cli&v=2", false)]
    [InlineData("", false)]
    public void A_credential_in_the_query_is_recognised_by_the_names_the_service_refuses(string query, bool refused)
    {
        var context = Request(Handshake());
        context.Request.QueryString = new QueryString(query);

        Assert.Equal(refused, LiveRequestHead.HasCredentialInQuery(context.Request));
    }
}
