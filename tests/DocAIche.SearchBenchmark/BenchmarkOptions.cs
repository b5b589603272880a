using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Npgsql;

/// <summary>
/// Command-line settings, with the search service's address and database found from the running
/// process (its <c>/proc/&lt;pid&gt;/environ</c>) unless given.
/// </summary>
internal sealed class BenchmarkOptions
{
    public const string LibraryPrefix = "search-benchmark-";

    public required Uri Gateway { get; init; }

    public required Uri SearchService { get; init; }

    public required string SearchDb { get; init; }

    /// <summary>Where the token is read from (re-read while the benchmark runs, so a refreshed token is picked up), or null for <c>DOCAICHE_TOKEN</c>.</summary>
    public string? TokenFile { get; init; }

    public int Chunks { get; init; } = 100_000;

    public int Concurrency { get; init; } = 8;

    public bool Keep { get; init; }

    public bool SkipSeed { get; init; }

    public bool CleanupOnly { get; init; }

    /// <summary>Only the embedding comparison on the real chunks already indexed: raw model against the running service.</summary>
    public int? EmbeddingOnly { get; init; }

    /// <summary>The search service's process, when found (for its CPU time and binary path).</summary>
    public int? SearchPid { get; init; }

    public int? GatewayPid { get; init; }

    public const string Usage = """
        dotnet run -c Release --project tests/DocAIche.SearchBenchmark -- [options]
          --chunks N          chunks to seed into the benchmark library (100000)
          --concurrency N     concurrent requests in the throughput runs (8)
          --gateway URL       the gateway (http://127.0.0.1:8080)
          --search-url URL    the search service itself (default: from the running process's environment)
          --searchdb CONN     the search database's connection string (default: from the running process's environment)
          --token-file PATH   a bearer token for the tenant's owner (/tmp/token; or set DOCAICHE_TOKEN)
          --keep              leave the benchmark library in place
          --skip-seed         reuse a library an earlier run left with --keep
          --cleanup-only      remove every search-benchmark-* library and its rows, then stop
          --embedding-only N  only compare the raw model with the running service's embedder on N real chunks
                              already indexed (their vectors are cleared and made again), with the service's memory
        """;

    public static BenchmarkOptions Parse(string[] args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var flags = new HashSet<string>(StringComparer.Ordinal);
        string[] valued = ["--chunks", "--concurrency", "--gateway", "--search-url", "--searchdb", "--token-file", "--embedding-only"];
        string[] switches = ["--keep", "--skip-seed", "--cleanup-only"];
        for (var i = 0; i < args.Length; i++)
        {
            if (valued.Contains(args[i]) && i + 1 < args.Length)
            {
                values[args[i]] = args[++i];
            }
            else if (switches.Contains(args[i]))
            {
                flags.Add(args[i]);
            }
            else
            {
                throw new ArgumentException($"Unknown argument '{args[i]}'.\n{Usage}");
            }
        }

        var gateway = new Uri(values.GetValueOrDefault("--gateway", "http://127.0.0.1:8080"));
        var (search, gatewayProcess) = FindServices(gateway);
        var searchUrl = values.TryGetValue("--search-url", out var url) ? new Uri(url)
            : ServiceUrl(search?.Environment) ?? throw new InvalidOperationException(
                "The search service's address was not found (no running DocAIche.Search process with ASPNETCORE_URLS or HTTP_PORTS): pass --search-url.");
        var searchDb = values.TryGetValue("--searchdb", out var connection) ? connection
            : search?.Environment.GetValueOrDefault("ConnectionStrings__searchdb") ?? throw new InvalidOperationException(
                "The search database was not found (no running DocAIche.Search process with ConnectionStrings__searchdb): pass --searchdb.");
        var options = new BenchmarkOptions
        {
            Gateway = gateway,
            SearchService = searchUrl,
            SearchDb = searchDb,
            TokenFile = values.TryGetValue("--token-file", out var file) ? file
                : Environment.GetEnvironmentVariable("DOCAICHE_TOKEN") is { Length: > 0 } ? null : "/tmp/token",
            Chunks = values.TryGetValue("--chunks", out var chunks) ? int.Parse(chunks, CultureInfo.InvariantCulture) : 100_000,
            Concurrency = values.TryGetValue("--concurrency", out var concurrency) ? int.Parse(concurrency, CultureInfo.InvariantCulture) : 8,
            Keep = flags.Contains("--keep"),
            SkipSeed = flags.Contains("--skip-seed"),
            CleanupOnly = flags.Contains("--cleanup-only"),
            EmbeddingOnly = values.TryGetValue("--embedding-only", out var real) ? int.Parse(real, CultureInfo.InvariantCulture) : null,
            SearchPid = search?.Pid,
            GatewayPid = gatewayProcess?.Pid,
        };
        options.CheckLoopback();
        return options;
    }

    /// <summary>Every address the benchmark talks to must be on this machine.</summary>
    private void CheckLoopback()
    {
        if (!Gateway.IsLoopback || !SearchService.IsLoopback)
        {
            throw new InvalidOperationException($"Only loopback addresses are used: gateway {Gateway}, search {SearchService}.");
        }
        var host = new NpgsqlConnectionStringBuilder(SearchDb).Host ?? "";
        var loopback = host.StartsWith('/') || host.Equals("localhost", StringComparison.OrdinalIgnoreCase) ||
                       (IPAddress.TryParse(host, out var address) && IPAddress.IsLoopback(address));
        if (!loopback)
        {
            throw new InvalidOperationException($"Only a database on loopback is used, not '{host}'.");
        }
    }

    /// <summary>The bearer token: re-read from its file at most every few seconds, so a token refreshed by someone else is used.</summary>
    public string Token()
    {
        if (TokenFile is null)
        {
            return Environment.GetEnvironmentVariable("DOCAICHE_TOKEN")!.Trim();
        }
        lock (_tokenLock)
        {
            if (_token is null || Environment.TickCount64 - _tokenReadAt > 2000)
            {
                _token = File.ReadAllText(TokenFile).Trim();
                _tokenReadAt = Environment.TickCount64;
            }
            return _token;
        }
    }

    private readonly Lock _tokenLock = new();
    private string? _token;
    private long _tokenReadAt;

    /// <summary>A claim of the token's payload (no signature check: the services do that).</summary>
    public string? Claim(string name)
    {
        var parts = Token().Split('.');
        if (parts.Length < 2)
        {
            return null;
        }
        var payload = parts[1].Replace('-', '+').Replace('_', '/');
        payload += new string('=', (4 - payload.Length % 4) % 4);
        using var json = JsonDocument.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(payload)));
        return json.RootElement.TryGetProperty(name, out var value)
            ? value.ValueKind == JsonValueKind.String ? value.GetString() : value.GetRawText()
            : null;
    }

    /// <summary>Seconds until the token expires (negative: expired), or null if it has no <c>exp</c>.</summary>
    public double? TokenSecondsLeft() =>
        Claim("exp") is { } exp && long.TryParse(exp, CultureInfo.InvariantCulture, out var seconds)
            ? seconds - DateTimeOffset.UtcNow.ToUnixTimeSeconds()
            : null;

    private sealed record ProcessInfo(int Pid, string CommandLine, Dictionary<string, string> Environment)
    {
        /// <summary>The service binary itself rather than the <c>dotnet run</c> that started it (both carry the same environment).</summary>
        public bool IsLauncher => CommandLine.StartsWith("dotnet run", StringComparison.Ordinal);

        /// <summary>Parent, grandparent... up to (not including) init.</summary>
        public List<int> Ancestors()
        {
            var ancestors = new List<int>();
            var pid = Pid;
            try
            {
                while (true)
                {
                    var stat = File.ReadAllText($"/proc/{pid}/stat");
                    pid = int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1], CultureInfo.InvariantCulture);
                    if (pid <= 1)
                    {
                        return ancestors;
                    }
                    ancestors.Add(pid);
                }
            }
            catch (IOException)
            {
                return ancestors;
            }
        }
    }

    /// <summary>
    /// The search service of the DocAIche instance whose gateway listens on <paramref name="gateway"/>'s port:
    /// other instances (integration tests start their own) are started by another orchestrator, so the
    /// right one shares an ancestor process with that gateway.
    /// </summary>
    private static (ProcessInfo? Search, ProcessInfo? Gateway) FindServices(Uri gateway)
    {
        var gateways = FindProcesses("DocAIche.Gateway", exclude: null);
        // The binary first: its CPU time is the gateway's.
        var ours = gateways.OrderBy(g => g.IsLauncher ? 1 : 0).FirstOrDefault(g => ServiceUrl(g.Environment)?.Port == gateway.Port);
        var searches = FindProcesses("DocAIche.Search", exclude: "DocAIche.SearchBenchmark");
        if (ours is not null)
        {
            // The nearest shared ancestor wins (the orchestrator that started both), not, say, a shell both instances run under.
            var family = ours.Ancestors();
            int Kinship(ProcessInfo process) => process.Ancestors().Select(a => family.IndexOf(a)).Where(i => i >= 0).DefaultIfEmpty(int.MaxValue).Min();
            var nearest = searches.Select(Kinship).DefaultIfEmpty(int.MaxValue).Min();
            searches = [.. searches.Where(s => nearest != int.MaxValue && Kinship(s) == nearest)];
        }
        var instances = searches
            .GroupBy(s => $"{s.Environment.GetValueOrDefault("ASPNETCORE_URLS")}|{s.Environment.GetValueOrDefault("ConnectionStrings__searchdb")}", StringComparer.Ordinal)
            .ToList();
        if (instances.Count > 1)
        {
            throw new InvalidOperationException(
                $"{instances.Count} search services run (pids {string.Join(", ", searches.Select(s => s.Pid))}) and none is tied to the gateway at {gateway}: " +
                "pass --search-url and --searchdb.");
        }
        var search = instances.SelectMany(i => i).OrderBy(s => s.IsLauncher ? 1 : 0).FirstOrDefault();
        return (search, ours);
    }

    /// <summary>Every process (but this one) whose command line names <paramref name="name"/>, with its environment.</summary>
    private static List<ProcessInfo> FindProcesses(string name, string? exclude)
    {
        var found = new List<ProcessInfo>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), CultureInfo.InvariantCulture, out var pid) || pid == Environment.ProcessId)
            {
                continue;
            }
            try
            {
                var commandLine = File.ReadAllText(Path.Combine(directory, "cmdline")).Replace('\0', ' ').Trim();
                if (!commandLine.Contains(name, StringComparison.Ordinal) || (exclude is not null && commandLine.Contains(exclude, StringComparison.Ordinal)))
                {
                    continue;
                }
                var environment = File.ReadAllText(Path.Combine(directory, "environ"))
                    .Split('\0', StringSplitOptions.RemoveEmptyEntries)
                    .Select(v => v.Split('=', 2))
                    .Where(v => v.Length == 2)
                    .GroupBy(v => v[0], StringComparer.Ordinal)
                    .ToDictionary(g => g.Key, g => g.First()[1], StringComparer.Ordinal);
                found.Add(new ProcessInfo(pid, commandLine, environment));
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
        return found;
    }

    /// <summary>The service's first HTTP address, with wildcard and <c>localhost</c> hosts made 127.0.0.1.</summary>
    private static Uri? ServiceUrl(Dictionary<string, string>? environment)
    {
        if (environment is null)
        {
            return null;
        }
        if ((environment.GetValueOrDefault("ASPNETCORE_URLS") ?? environment.GetValueOrDefault("URLS")) is { Length: > 0 } urls)
        {
            var first = urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .FirstOrDefault(u => u.StartsWith("http://", StringComparison.OrdinalIgnoreCase)) ?? urls.Split(';')[0].Trim();
            var address = first.Replace("://+", "://127.0.0.1", StringComparison.Ordinal).Replace("://*", "://127.0.0.1", StringComparison.Ordinal)
                .Replace("://0.0.0.0", "://127.0.0.1", StringComparison.Ordinal).Replace("://[::]", "://127.0.0.1", StringComparison.Ordinal)
                .Replace("://localhost", "://127.0.0.1", StringComparison.OrdinalIgnoreCase);
            return new Uri(address);
        }
        foreach (var key in new[] { "ASPNETCORE_HTTP_PORTS", "DOTNET_HTTP_PORTS", "HTTP_PORTS" })
        {
            if (environment.GetValueOrDefault(key) is { Length: > 0 } ports)
            {
                return new Uri($"http://127.0.0.1:{ports.Split([';', ','])[0].Trim()}");
            }
        }
        return null;
    }

    /// <summary>The search service's executable or project path, to say which build is measured.</summary>
    public static string? CommandLine(int? pid)
    {
        try
        {
            return pid is null ? null : File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ').Trim();
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>User plus system CPU time of a process so far, from <c>/proc/&lt;pid&gt;/stat</c>.</summary>
    public static TimeSpan? CpuTime(int? pid)
    {
        if (pid is null)
        {
            return null;
        }
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            // Fields after the parenthesised command name; utime and stime are the 14th and 15th fields.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
            return TimeSpan.FromSeconds(ticks / 100.0); // USER_HZ is 100 on Linux
        }
        catch (IOException)
        {
            return null;
        }
    }
}
