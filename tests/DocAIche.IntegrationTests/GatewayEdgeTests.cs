using System.Net;
using System.Net.Sockets;
using System.Text;
using DocAIche.IntegrationTests.Support;

namespace DocAIche.IntegrationTests;

/// <summary>What the gateway refuses before anything reaches a service.</summary>
[Collection(DocAIcheCollection.Name)]
public sealed class GatewayEdgeTests(DocAIcheFixture docaiche)
{
    /// <summary>A client whose connections come from another loopback address, so it has rate-limit buckets of its own.</summary>
    private HttpClient ClientFrom(string localAddress) => new(new SocketsHttpHandler
    {
        ConnectCallback = async (context, cancellationToken) =>
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            socket.Bind(new IPEndPoint(IPAddress.Parse(localAddress), 0));
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, docaiche.GatewayAddress.Port), cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        },
    })
    { BaseAddress = docaiche.GatewayAddress };

    [Fact]
    public async Task Hammering_the_token_endpoint_from_one_address_gets_429_with_Retry_After()
    {
        using var attacker = ClientFrom("127.0.0.2");
        HttpResponseMessage? refused = null;
        for (var i = 0; i < DocAIcheFixture.CredentialAttemptLimit + 20 && refused is null; i++)
        {
            var response = await attacker.PostAsync("/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["grant_type"] = "client_credentials",
                ["client_id"] = "guess",
                ["client_secret"] = $"guess-{i}",
            }));
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                refused = response;
            }
            else
            {
                response.Dispose();
            }
        }

        Assert.NotNull(refused);
        Assert.True(int.Parse(refused!.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture) >= 1);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        refused.Dispose();

        // Another address is not affected.
        using var bystander = await docaiche.Anonymous.GetAsync("/.well-known/openid-configuration");
        Assert.Equal(HttpStatusCode.OK, bystander.StatusCode);
    }

    [Fact]
    public async Task With_Redis_down_requests_still_pass_and_the_gateway_health_says_why()
    {
        var app = docaiche.App;
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await app.ResourceCommands.ExecuteCommandAsync("redis", KnownResourceCommands.StopCommand, timeout.Token);
        try
        {
            await app.ResourceNotifications.WaitForResourceAsync("redis", [KnownResourceStates.Exited, KnownResourceStates.Finished], timeout.Token);

            using var search = await docaiche.Gateway.GetAsync("/api/v1/search?q=redis");
            Assert.Equal(HttpStatusCode.OK, search.StatusCode);

            var health = await Eventually.Async(
                async () =>
                {
                    using var response = await docaiche.Anonymous.GetAsync("/health");
                    return await response.Content.ReadAsStringAsync();
                },
                body => body.Contains("\"gateway\":{\"status\":\"Unhealthy\"", StringComparison.Ordinal),
                TimeSpan.FromSeconds(60), "the gateway's health to report Redis");
            Assert.Contains("\"status\":\"Unhealthy\"", health, StringComparison.Ordinal);
        }
        finally
        {
            await app.ResourceCommands.ExecuteCommandAsync("redis", KnownResourceCommands.StartCommand, CancellationToken.None);
        }
        await app.ResourceNotifications.WaitForResourceHealthyAsync("redis", timeout.Token);
    }

    [Fact]
    public async Task A_cors_preflight_from_an_origin_not_on_the_list_is_not_allowed()
    {
        using var request = new HttpRequestMessage(HttpMethod.Options, "/api/v1/search?q=x");
        request.Headers.Add("Origin", "https://evil.example");
        request.Headers.Add("Access-Control-Request-Method", "GET");
        request.Headers.Add("Access-Control-Request-Headers", "authorization");

        using var response = await docaiche.Anonymous.SendAsync(request);

        Assert.False(response.Headers.Contains("Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task A_cors_preflight_from_a_listed_origin_is_allowed()
    {
        using var request = new HttpRequestMessage(HttpMethod.Options, "/api/v1/search?q=x");
        request.Headers.Add("Origin", DocAIcheFixture.AllowedOrigin);
        request.Headers.Add("Access-Control-Request-Method", "GET");
        request.Headers.Add("Access-Control-Request-Headers", "authorization");

        using var response = await docaiche.Anonymous.SendAsync(request);

        Assert.Equal(DocAIcheFixture.AllowedOrigin, response.Headers.GetValues("Access-Control-Allow-Origin").Single());
    }

    [Fact]
    public async Task Answers_carry_security_headers()
    {
        using var response = await docaiche.Gateway.GetAsync("/api/v1/search?q=headers");

        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
        Assert.Contains("frame-ancestors 'none'", response.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/api/v1/documents/..%2f..%2fapi/v1/users")]
    [InlineData("/api/v1/documents/%2e%2e/%2e%2e/api/v1/users")]
    [InlineData("/api/v1/documents/..\\..\\users")]
    public async Task A_path_traversal_is_refused_before_proxying(string rawPath)
    {
        // Sent as raw bytes: HTTP clients would normalise the path first.
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, docaiche.GatewayAddress.Port);
        var stream = tcp.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"GET {rawPath} HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer {docaiche.OwnerAccessToken}\r\nConnection: close\r\n\r\n"));
        using var reader = new StreamReader(stream, Encoding.ASCII);

        var statusLine = await reader.ReadLineAsync();

        Assert.StartsWith("HTTP/1.1 400", statusLine, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_api_write_that_is_not_json_is_refused_with_415()
    {
        using var content = new StringContent("title=x&content=y", Encoding.UTF8, "application/x-www-form-urlencoded");

        using var response = await docaiche.Gateway.PostAsync("/api/v1/libraries", content);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
    }

    [Fact]
    public async Task An_oversized_body_is_refused_with_413()
    {
        using var content = new ByteArrayContent(new byte[DocAIcheFixture.MaxRequestBodyBytes + 1]);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");

        // Expect: 100-continue, as well-behaved clients send large bodies: the refusal arrives before the
        // upload, instead of racing it (a server that answers early may reset the upload mid-way).
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/libraries") { Content = content };
        request.Headers.ExpectContinue = true;

        using var response = await docaiche.Gateway.SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }
}
