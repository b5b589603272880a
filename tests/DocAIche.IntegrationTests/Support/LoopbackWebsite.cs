using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace DocAIche.IntegrationTests.Support;

/// <summary>A page the test website serves: a body with its type, or a redirect.</summary>
public sealed record WebPage(string Body, string ContentType = "text/html; charset=utf-8", string? RedirectTo = null, int Status = 200);

/// <summary>
/// A small website on 127.0.0.1 with pages the test sets. Answers conditional requests (ETag) and
/// counts requests per path, so tests see what the crawler asked for.
/// </summary>
public sealed class LoopbackWebsite : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly Dictionary<string, WebPage> pages = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> requests = new(StringComparer.Ordinal);
    private readonly Lock gate = new();

    private LoopbackWebsite(WebApplication app) => this.app = app;

    public Uri Address { get; private set; } = null!;

    public static async Task<LoopbackWebsite> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var site = new LoopbackWebsite(app);
        app.Run(site.ServeAsync);
        await app.StartAsync();
        site.Address = new Uri(app.Urls.First().Replace("127.0.0.1", "127.0.0.1", StringComparison.Ordinal) + "/");
        return site;
    }

    public void Set(string path, WebPage page)
    {
        lock (gate)
        {
            pages[path] = page;
        }
    }

    public void Remove(string path)
    {
        lock (gate)
        {
            pages.Remove(path);
        }
    }

    public int RequestsFor(string path)
    {
        lock (gate)
        {
            return requests.GetValueOrDefault(path);
        }
    }

    private async Task ServeAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "/";
        WebPage? page;
        lock (gate)
        {
            requests[path] = requests.GetValueOrDefault(path) + 1;
            pages.TryGetValue(path, out page);
        }
        if (page is null)
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }
        if (page.RedirectTo is { } target)
        {
            context.Response.StatusCode = StatusCodes.Status302Found;
            context.Response.Headers.Location = target;
            return;
        }
        var etag = $"\"{Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(page.Body)))[..16]}\"";
        if (context.Request.Headers.IfNoneMatch.ToString() == etag)
        {
            context.Response.StatusCode = StatusCodes.Status304NotModified;
            return;
        }
        context.Response.StatusCode = page.Status;
        context.Response.Headers.ETag = etag;
        context.Response.ContentType = page.ContentType;
        await context.Response.WriteAsync(page.Body);
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
