using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace DocAIche.IntegrationTests.Support;

/// <summary>
/// Git repositories the test creates, served over smart HTTP on 127.0.0.1 by git's own
/// <c>git http-backend</c> (as CGI), exactly as a forge would serve them to the fetcher.
/// </summary>
public sealed class GitHttpServer : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly DirectoryInfo root;

    private GitHttpServer(WebApplication app, DirectoryInfo root)
    {
        this.app = app;
        this.root = root;
    }

    public Uri Address { get; private set; } = null!;

    public static async Task<GitHttpServer> StartAsync()
    {
        var root = Directory.CreateTempSubdirectory("docaiche-git-served-");
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var server = new GitHttpServer(app, root);
        app.Run(server.ServeAsync);
        await app.StartAsync();
        server.Address = new Uri(app.Urls.First() + "/");
        return server;
    }

    /// <summary>A working copy whose commits <see cref="TestRepository.PublishAsync"/> makes visible at <see cref="TestRepository.Url"/>.</summary>
    public async Task<TestRepository> CreateRepositoryAsync(string name)
    {
        var work = Path.Combine(root.FullName, "work", name);
        var bare = Path.Combine(root.FullName, "served", name + ".git");
        Directory.CreateDirectory(work);
        await Git.RunAsync(work, "init", "--quiet", "--initial-branch=main");
        await Git.RunAsync(root.FullName, "init", "--quiet", "--bare", "--initial-branch=main", bare);
        return new TestRepository(work, bare, new Uri(Address, $"{name}.git"));
    }

    private async Task ServeAsync(HttpContext context)
    {
        var start = new ProcessStartInfo("git", ["http-backend"])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["GIT_PROJECT_ROOT"] = Path.Combine(root.FullName, "served");
        start.Environment["GIT_HTTP_EXPORT_ALL"] = "1";
        start.Environment["PATH_INFO"] = context.Request.Path.Value ?? "/";
        start.Environment["QUERY_STRING"] = context.Request.QueryString.Value?.TrimStart('?') ?? "";
        start.Environment["REQUEST_METHOD"] = context.Request.Method;
        start.Environment["CONTENT_TYPE"] = context.Request.ContentType ?? "";
        start.Environment["REMOTE_ADDR"] = "127.0.0.1";
        start.Environment["HTTP_CONTENT_ENCODING"] = context.Request.Headers.ContentEncoding.ToString();
        start.Environment["GIT_PROTOCOL"] = context.Request.Headers["Git-Protocol"].ToString();

        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        await context.Request.Body.CopyToAsync(process.StandardInput.BaseStream);
        process.StandardInput.Close();

        var output = process.StandardOutput.BaseStream;
        var header = new List<byte>();
        var one = new byte[1];
        // CGI headers end with an empty line.
        while (await output.ReadAsync(one) == 1)
        {
            header.Add(one[0]);
            var n = header.Count;
            if ((n >= 4 && header[n - 4] == '\r' && header[n - 3] == '\n' && header[n - 2] == '\r' && header[n - 1] == '\n') ||
                (n >= 2 && header[n - 2] == '\n' && header[n - 1] == '\n'))
            {
                break;
            }
        }
        foreach (var line in System.Text.Encoding.ASCII.GetString([.. header]).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                continue;
            }
            var name = line[..colon].Trim();
            var value = line[(colon + 1)..].Trim();
            if (name.Equals("Status", StringComparison.OrdinalIgnoreCase))
            {
                context.Response.StatusCode = int.Parse(value.Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
            }
            else
            {
                context.Response.Headers.Append(name, value);
            }
        }
        await output.CopyToAsync(context.Response.Body);
        await process.WaitForExitAsync();
        await stderr;
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
        try
        {
            root.Delete(recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>A repository a test writes files into and publishes.</summary>
public sealed class TestRepository(string work, string bare, Uri url)
{
    public Uri Url { get; } = url;

    public void Write(string path, string content)
    {
        var full = Path.Combine(work, path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        File.WriteAllText(full, content);
    }

    public void Delete(string path) => File.Delete(Path.Combine(work, path));

    /// <summary>Commits everything and pushes it to the served copy; returns the commit id.</summary>
    public async Task<string> PublishAsync(string message)
    {
        await Git.RunAsync(work, "add", "--all");
        await Git.RunAsync(work, "-c", "user.name=DocAIche Tests", "-c", "user.email=tests@docaiche.local", "commit", "--quiet", "--allow-empty", "-m", message);
        await Git.RunAsync(work, "push", "--quiet", "--force", bare, "main");
        return (await Git.RunAsync(work, "rev-parse", "HEAD")).Trim();
    }
}

internal static class Git
{
    public static async Task<string> RunAsync(string directory, params string[] arguments)
    {
        var start = new ProcessStartInfo("git", arguments)
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["GIT_CONFIG_NOSYSTEM"] = "1";
        start.Environment["GIT_CONFIG_GLOBAL"] = "/dev/null";
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"git {string.Join(' ', arguments)} failed: {await error}");
        }
        return await output;
    }
}
