using System.Net;
using System.Net.Sockets;
using System.Text;
using DocAIche.Gateway.Health;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Yarp.ReverseProxy.Configuration;

namespace DocAIche.UnitTests.Gateway;

/// <summary>
/// A real proxy on loopback with two instances of a service, the first of which (by name, so it is
/// always tried first) is gone or breaks off: what is sent to the second one, and what is not.
/// </summary>
public sealed class InstanceFailoverTests : IAsyncLifetime
{
    private readonly List<string> received = [];
    private WebApplication? instance;
    private WebApplication? proxy;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        instance = builder.Build();
        instance.Map("/{**path}", async (HttpContext context) =>
        {
            using var reader = new StreamReader(context.Request.Body);
            var body = await reader.ReadToEndAsync();
            lock (received)
            {
                received.Add($"{context.Request.Method} {body}");
            }
            return Results.Text($"answered {context.Request.Method} {body}");
        });
        await instance.StartAsync();
    }

    public async Task DisposeAsync()
    {
        foreach (var app in new[] { proxy, instance })
        {
            if (app is not null)
            {
                await app.DisposeAsync();
            }
        }
    }

    private async Task<HttpClient> ProxyToAsync(string first)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Services.AddReverseProxy().LoadFromMemory(
            [new RouteConfig { RouteId = "all", ClusterId = "service", Match = new RouteMatch { Path = "/{**rest}" } }],
            [new ClusterConfig
            {
                ClusterId = "service",
                LoadBalancingPolicy = "FirstAlphabetical",
                Destinations = new Dictionary<string, DestinationConfig>
                {
                    ["a-gone"] = new() { Address = first },
                    ["b-alive"] = new() { Address = instance!.Urls.Single() },
                },
            }]);
        proxy = builder.Build();
        proxy.MapReverseProxy(pipeline => pipeline.UseInstanceFailover());
        await proxy.StartAsync();
        return new HttpClient { BaseAddress = new Uri(proxy.Urls.Single()), Timeout = Loopback.Patience };
    }

    [Fact]
    public async Task A_write_whose_connection_was_refused_goes_to_the_other_instance_with_its_whole_body()
    {
        using var client = await ProxyToAsync($"http://127.0.0.1:{Loopback.ClosedPort()}");

        using var response = await client.PostAsync("/api/v1/libraries", new StringContent("{\"name\":\"react\"}", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("answered POST {\"name\":\"react\"}", await response.Content.ReadAsStringAsync());
        Assert.Equal(["POST {\"name\":\"react\"}"], received);
    }

    [Fact]
    public async Task A_read_whose_instance_broke_off_before_answering_goes_to_the_other_instance()
    {
        using var gone = Loopback.Listen();
        var breaking = BreakOffAsync(gone);
        using var client = await ProxyToAsync($"http://127.0.0.1:{Loopback.Port(gone)}");

        using var response = await client.GetAsync("/api/v1/search?q=hooks");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(["GET "], received);
        await breaking;
    }

    [Fact]
    public async Task A_write_that_reached_an_instance_which_broke_off_is_not_sent_again()
    {
        using var gone = Loopback.Listen();
        var breaking = BreakOffAsync(gone);
        using var client = await ProxyToAsync($"http://127.0.0.1:{Loopback.Port(gone)}");

        using var response = await client.PostAsync("/api/v1/libraries", new StringContent("{\"name\":\"vite\"}", Encoding.UTF8, "application/json"));

        // It may have been done there: only its caller, with its Idempotency-Key, may send it again.
        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Empty(received);
        await breaking;
    }

    [Fact]
    public async Task A_body_of_unknown_length_is_not_kept_and_its_request_fails_as_before()
    {
        using var client = await ProxyToAsync($"http://127.0.0.1:{Loopback.ClosedPort()}");
        using var content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes("streamed")));
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/sources/upload") { Content = content };
        request.Headers.TransferEncodingChunked = true;

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Empty(received);
    }

    /// <summary>An instance that takes the connection, reads the request's head and dies without answering.</summary>
    private static async Task BreakOffAsync(Socket listener)
    {
        using var accepted = await listener.AcceptAsync();
        var buffer = new byte[4096];
        using var timeout = new CancellationTokenSource(Loopback.Patience);
        await accepted.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
        accepted.Close(0);
    }
}
