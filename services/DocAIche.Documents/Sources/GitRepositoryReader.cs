using DocAIche.ServiceDefaults.Networking;
using System.Diagnostics;
using System.Net;
using System.Runtime.CompilerServices;
using System.Text;
using DocAIche.Documents.Crawling;
using DocAIche.Documents.Fetching;
using DocAIche.Documents.Model;
using DocAIche.Documents.Processing;
using Microsoft.Extensions.Options;

namespace DocAIche.Documents.Sources;

/// <summary>
/// Reads a Git repository with the <c>git</c> program: resolves the ref, skips a commit it already
/// ingested, fetches that one commit shallowly into a bare temporary repository and reads the
/// matching blobs straight from the object store (no checkout, so symlinks and hooks never act).
/// git may only use HTTP(S), is pinned to the address the guard checked, follows no redirects and
/// reads no user or system configuration. The token travels in an environment-supplied header,
/// never on a command line or in a log.
/// </summary>
internal sealed partial class GitRepositoryReader(GuardedNetwork network, IOptions<GitOptions> options, ILogger<GitRepositoryReader> logger) : ISourceReader
{
    public SourceKind Kind => SourceKind.Git;

    public async IAsyncEnumerable<SourceItem> ReadAsync(SourceReading reading, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var git = options.Value;
        var settings = reading.Source.Git ?? throw new IngestionFailedException("The source has no repository settings.");
        var url = new Uri(settings.Url);
        IPAddress[] addresses;
        try
        {
            addresses = await network.ResolveAsync(url.IdnHost, cancellationToken);
        }
        catch (BlockedAddressException blocked)
        {
            throw new IngestionFailedException(blocked.Message);
        }
        catch (System.Net.Sockets.SocketException e)
        {
            throw new IngestionFailedException($"The repository host {url.Host} could not be resolved ({e.SocketErrorCode}).");
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(git.Timeout);
        var work = Directory.CreateTempSubdirectory("docaiche-git-");
        try
        {
            var command = new GitCommand(git.Executable, work.FullName, Environment(url, addresses[0], reading.Token, work.FullName), reading.Token);

            var (commit, refName) = await ResolveRefAsync(command, settings, timeout.Token);
            reading.Commit = commit;
            if (commit == reading.Source.LastCommit && reading.OnlyKeys is null)
            {
                reading.NothingToDo = $"Commit {commit[..12]} was ingested already; nothing to do.";
                yield break;
            }

            var repository = Path.Combine(work.FullName, "repository.git");
            await command.RunAsync(["init", "--quiet", "--bare", repository], timeout.Token);
            // Fetch by ref name when there is one (servers need not allow fetching arbitrary commits).
            await command.RunAsync(["-C", repository, "fetch", "--quiet", "--depth=1", "--no-tags", "--no-recurse-submodules", "--", settings.Url, refName ?? commit], timeout.Token);
            var fetched = (await command.RunAsync(["-C", repository, "rev-parse", "FETCH_HEAD"], timeout.Token)).Trim();
            reading.Commit = fetched;

            var entries = await ListFilesAsync(command, repository, fetched, settings, reading, timeout.Token);
            reading.Discover(entries.Count);
            await foreach (var item in ReadBlobsAsync(command, repository, entries, settings, fetched, timeout.Token))
            {
                yield return item;
            }
        }
        finally
        {
            try
            {
                work.Delete(recursive: true);
            }
            catch (IOException e)
            {
                LogCleanupFailed(logger, e, work.FullName);
            }
        }
    }

    private static Dictionary<string, string> Environment(Uri url, IPAddress address, string? token, string home)
    {
        var pinned = address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{address}]" : address.ToString();
        var config = new List<(string Key, string Value)>
        {
            ("http.followRedirects", "false"),
            ("http.curloptResolve", $"{url.IdnHost}:{url.Port}:{pinned}"),
            ("credential.helper", ""),
            ("core.hooksPath", "/dev/null"),
            ("protocol.file.allow", "never"),
            ("transfer.credentialsInUrl", "die"),
        };
        if (token is not null)
        {
            var basic = Convert.ToBase64String(Encoding.UTF8.GetBytes($"x-access-token:{token}"));
            config.Add(("http.extraHeader", $"Authorization: Basic {basic}"));
        }

        var environment = new Dictionary<string, string>
        {
            ["HOME"] = home,
            ["XDG_CONFIG_HOME"] = home,
            ["GIT_CONFIG_NOSYSTEM"] = "1",
            ["GIT_CONFIG_GLOBAL"] = "/dev/null",
            ["GIT_TERMINAL_PROMPT"] = "0",
            ["GIT_ASKPASS"] = "/bin/false",
            ["SSH_ASKPASS"] = "/bin/false",
            ["GIT_ALLOW_PROTOCOL"] = "http:https",
            ["GIT_CONFIG_COUNT"] = config.Count.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["LC_ALL"] = "C",
        };
        for (var i = 0; i < config.Count; i++)
        {
            environment[$"GIT_CONFIG_KEY_{i}"] = config[i].Key;
            environment[$"GIT_CONFIG_VALUE_{i}"] = config[i].Value;
        }
        return environment;
    }

    private static async Task<(string Commit, string? RefName)> ResolveRefAsync(GitCommand command, GitSettings settings, CancellationToken cancellationToken)
    {
        var wanted = string.IsNullOrWhiteSpace(settings.Ref) ? "HEAD" : settings.Ref.Trim();
        var output = await command.RunAsync(["ls-remote", "--", settings.Url], cancellationToken);
        var refs = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = line.Split('\t', 2);
            if (parts.Length == 2)
            {
                refs[parts[1].Trim()] = parts[0].Trim();
            }
        }

        foreach (var name in (string[])[wanted, $"refs/heads/{wanted}", $"refs/tags/{wanted}"])
        {
            if (refs.TryGetValue(name, out var sha))
            {
                // An annotated tag: the commit is the peeled entry.
                return (refs.TryGetValue(name + "^{}", out var peeled) ? peeled : sha, name);
            }
        }
        if (IsCommitId(wanted))
        {
            return (wanted.ToLowerInvariant(), null);
        }
        throw new IngestionFailedException($"The repository has no branch, tag or ref named '{wanted}'.");
    }

    private static bool IsCommitId(string value) => value.Length == 40 && value.All(Uri.IsHexDigit);

    private sealed record Blob(string Path, string Sha, long Size, ContentKind Kind);

    private async Task<List<Blob>> ListFilesAsync(
        GitCommand command, string repository, string commit, GitSettings settings, SourceReading reading, CancellationToken cancellationToken)
    {
        var git = options.Value;
        var include = (settings.Include.Count > 0 ? settings.Include : git.DefaultInclude).Select(p => new GlobPattern(p)).ToList();
        var exclude = settings.Exclude.Concat(settings.Include.Count > 0 ? [] : git.DefaultExclude).Select(p => new GlobPattern(p)).ToList();
        var listing = await command.RunAsync(["-C", repository, "ls-tree", "-r", "-z", "--long", commit], cancellationToken);
        var blobs = new List<Blob>();
        foreach (var entry in listing.Split('\0', StringSplitOptions.RemoveEmptyEntries))
        {
            // <mode> SP <type> SP <sha> SP+ <size> TAB <path>
            var tab = entry.IndexOf('\t', StringComparison.Ordinal);
            if (tab < 0)
            {
                continue;
            }
            var meta = entry[..tab].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var path = entry[(tab + 1)..];
            // Regular files only: symlinks (120000) and submodules (commit) are never followed.
            if (meta.Length < 4 || meta[1] != "blob" || (meta[0] != "100644" && meta[0] != "100755"))
            {
                continue;
            }
            if (reading.OnlyKeys is { } only && !only.Contains(path))
            {
                continue;
            }
            if (ContentKinds.FromPath(path) is not { } kind || !include.Any(g => g.IsMatch(path)) || exclude.Any(g => g.IsMatch(path)))
            {
                continue;
            }
            blobs.Add(new Blob(path, meta[2], long.TryParse(meta[3], out var size) ? size : 0, kind));
        }
        return blobs;
    }

    private async IAsyncEnumerable<SourceItem> ReadBlobsAsync(
        GitCommand command, string repository, List<Blob> blobs, GitSettings settings, string commit, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var maxBytes = options.Value.MaxFileBytes;
        var wanted = new List<Blob>();
        foreach (var blob in blobs)
        {
            if (blob.Size > maxBytes)
            {
                yield return SourceItem.Failure(blob.Path, $"The file is {blob.Size} bytes, more than the {maxBytes} allowed.", WebUrl(settings.Url, commit, blob.Path));
            }
            else
            {
                wanted.Add(blob);
            }
        }
        if (wanted.Count == 0)
        {
            yield break;
        }

        using var batch = command.Start(["-C", repository, "cat-file", "--batch"]);
        var writer = Task.Run(async () =>
        {
            foreach (var blob in wanted)
            {
                await batch.StandardInput.WriteLineAsync(blob.Sha.AsMemory(), cancellationToken);
            }
            batch.StandardInput.Close();
        }, cancellationToken);

        var output = batch.StandardOutput.BaseStream;
        var strict = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
        foreach (var blob in wanted)
        {
            // "<sha> blob <size>\n<content>\n"
            var header = await ReadLineAsync(output, cancellationToken);
            var size = int.Parse(header.Split(' ')[2], System.Globalization.CultureInfo.InvariantCulture);
            var content = new byte[size];
            await output.ReadExactlyAsync(content, cancellationToken);
            await ReadLineAsync(output, cancellationToken);

            string? text = null;
            try
            {
                var start = content.AsSpan().StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]) ? 3 : 0;
                text = strict.GetString(content, start, content.Length - start);
            }
            catch (DecoderFallbackException)
            {
            }
            var url = WebUrl(settings.Url, commit, blob.Path);
            yield return text is null
                ? SourceItem.Failure(blob.Path, "The file is not UTF-8 text.", url)
                : new SourceItem(blob.Path) { Kind = blob.Kind, Content = text, Url = url };
        }
        await writer;
        await batch.WaitForExitAsync(cancellationToken);
    }

    private static async Task<string> ReadLineAsync(Stream stream, CancellationToken cancellationToken)
    {
        var line = new List<byte>(64);
        var one = new byte[1];
        while (true)
        {
            if (await stream.ReadAsync(one, cancellationToken) == 0)
            {
                throw new IngestionFailedException("git ended its output early.");
            }
            if (one[0] == (byte)'\n')
            {
                return Encoding.UTF8.GetString([.. line]);
            }
            line.Add(one[0]);
        }
    }

    /// <summary>Where a person reads the file: the forge's blob page for the commit (GitHub, GitLab, Gitea and others share the form).</summary>
    internal static string? WebUrl(string repositoryUrl, string commit, string path)
    {
        var baseUrl = repositoryUrl.EndsWith(".git", StringComparison.OrdinalIgnoreCase) ? repositoryUrl[..^4] : repositoryUrl.TrimEnd('/');
        var escaped = string.Join('/', path.Split('/').Select(Uri.EscapeDataString));
        return $"{baseUrl}/blob/{commit}/{escaped}";
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not delete the temporary repository {Path}")]
    private static partial void LogCleanupFailed(ILogger logger, Exception exception, string path);
}

/// <summary>Runs git with a fixed environment; its error output is passed on with the token removed.</summary>
internal sealed class GitCommand(string executable, string workingDirectory, IReadOnlyDictionary<string, string> environment, string? secret)
{
    public Process Start(IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo(executable)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        // Only what git needs: nothing of the service's own environment (secrets, connection strings) leaks into it.
        start.Environment.Clear();
        start.Environment["PATH"] = System.Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin";
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }
        return Process.Start(start) ?? throw new IngestionFailedException("git could not be started.");
    }

    public async Task<string> RunAsync(IEnumerable<string> arguments, CancellationToken cancellationToken)
    {
        using var process = Start(arguments);
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        try
        {
            await process.WaitForExitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        if (process.ExitCode != 0)
        {
            var message = (await error).Trim();
            if (secret is not null)
            {
                message = message.Replace(secret, "***", StringComparison.Ordinal);
            }
            throw new IngestionFailedException($"git failed: {(message.Length > 500 ? message[..500] : message)}");
        }
        return await output;
    }
}
