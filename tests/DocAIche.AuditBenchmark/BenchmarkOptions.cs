using System.Globalization;
using System.Net;
using Npgsql;

/// <summary>
/// Command-line settings, and the running audit service's broker and database, read from its
/// process's environment (<c>/proc/&lt;pid&gt;/environ</c>; the benchmark runs as root).
/// </summary>
internal sealed class BenchmarkOptions
{
    public const string Usage = """
        dotnet run -c Release --project tests/DocAIche.AuditBenchmark -- [options]
          --events N        audit events to publish (20000)
          --tenants T       benchmark tenants the events are spread over, round robin (1); each tenant is one chain
          --concurrency C   publishes awaiting the broker's confirmation at once (64)
          --pid PID         the audit service process to read settings from, when several run
          --keep            leave the benchmark tenants' records in the audit database
        """;

    public int Events { get; init; } = 20_000;

    public int Tenants { get; init; } = 1;

    public int Concurrency { get; init; } = 64;

    public bool Keep { get; init; }

    /// <summary>RabbitMQ, as the audit service connects to it (<c>ConnectionStrings__messaging</c>).</summary>
    public required Uri Messaging { get; init; }

    /// <summary>The audit database's owner login (<c>ConnectionStrings__auditdb</c>), not the service's append-only role.</summary>
    public required string AuditDb { get; init; }

    /// <summary><c>Audit__CheckpointKey</c>, or null when the service's environment does not carry it.</summary>
    public string? CheckpointKey { get; init; }

    public required int AuditPid { get; init; }

    public required string AuditCommandLine { get; init; }

    /// <summary>Parses the arguments and finds the running audit service; <see cref="ArgumentException"/> or <see cref="InvalidOperationException"/> when it cannot run.</summary>
    public static BenchmarkOptions Parse(string[] args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var keep = false;
        string[] valued = ["--events", "--tenants", "--concurrency", "--pid"];
        for (var i = 0; i < args.Length; i++)
        {
            if (valued.Contains(args[i]) && i + 1 < args.Length)
            {
                values[args[i]] = args[++i];
            }
            else if (args[i] == "--keep")
            {
                keep = true;
            }
            else
            {
                throw new ArgumentException($"Unknown argument '{args[i]}'.\n{Usage}");
            }
        }

        var events = Number(values, "--events", 20_000);
        var tenants = Number(values, "--tenants", 1);
        var concurrency = Number(values, "--concurrency", 64);
        if (tenants > events)
        {
            throw new ArgumentException($"--tenants ({tenants}) must not exceed --events ({events}).\n{Usage}");
        }
        int? pid = values.ContainsKey("--pid") ? Number(values, "--pid", 0) : null;

        var audit = FindAuditService(pid);
        var environment = audit.Environment;
        var messaging = environment.GetValueOrDefault("ConnectionStrings__messaging") is { Length: > 0 } uri
            ? Uri.TryCreate(uri, UriKind.Absolute, out var parsed) ? parsed : throw new InvalidOperationException($"ConnectionStrings__messaging of pid {audit.Pid} is not a URI.")
            : throw new InvalidOperationException($"The audit service (pid {audit.Pid}) has no ConnectionStrings__messaging in its environment.");
        var options = new BenchmarkOptions
        {
            Events = events,
            Tenants = tenants,
            Concurrency = concurrency,
            Keep = keep,
            Messaging = messaging,
            AuditDb = environment["ConnectionStrings__auditdb"],
            CheckpointKey = environment.GetValueOrDefault("Audit__CheckpointKey") is { Length: > 0 } key ? key : null,
            AuditPid = audit.Pid,
            AuditCommandLine = audit.CommandLine,
        };
        options.CheckLoopback();
        return options;
    }

    private static int Number(Dictionary<string, string> values, string name, int fallback)
    {
        if (!values.TryGetValue(name, out var text))
        {
            return fallback;
        }
        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0
            ? value
            : throw new ArgumentException($"{name} wants a positive whole number, not '{text}'.\n{Usage}");
    }

    /// <summary>The broker and the database must both be on this machine: the benchmark writes and deletes rows as the owner.</summary>
    private void CheckLoopback()
    {
        if (!IsLoopbackHost(Messaging.Host))
        {
            throw new InvalidOperationException($"RabbitMQ is at '{Messaging.Host}', not on loopback: refusing to publish to it.");
        }
        var hosts = new NpgsqlConnectionStringBuilder(AuditDb).Host;
        if (string.IsNullOrWhiteSpace(hosts))
        {
            throw new InvalidOperationException("The audit database's connection string names no host: refusing to guess where it is.");
        }
        // Npgsql accepts several hosts ("a:5432,b:5433") and tries them in turn: every one must be local.
        foreach (var host in hosts.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(WithoutPort))
        {
            // A Unix-domain socket directory is on this machine by definition.
            if (!host.StartsWith('/') && !IsLoopbackHost(host))
            {
                throw new InvalidOperationException($"The audit database is at '{host}', not on loopback: refusing to write to it.");
            }
        }
    }

    /// <summary>localhost, 127.0.0.0/8 or ::1.</summary>
    private static bool IsLoopbackHost(string host)
    {
        host = host.Trim().TrimStart('[').TrimEnd(']');
        return host.Equals("localhost", StringComparison.OrdinalIgnoreCase) ||
               (IPAddress.TryParse(host, out var address) && IPAddress.IsLoopback(address));
    }

    /// <summary>An Npgsql host entry without its port: <c>127.0.0.1:5433</c>, <c>[::1]:5433</c>; a bare IPv6 address is kept whole.</summary>
    private static string WithoutPort(string entry)
    {
        if (entry.StartsWith('['))
        {
            var end = entry.IndexOf(']', StringComparison.Ordinal);
            return end > 0 ? entry[1..end] : entry;
        }
        return entry.Count(c => c == ':') == 1 ? entry[..entry.IndexOf(':', StringComparison.Ordinal)] : entry;
    }

    private sealed record ProcessInfo(int Pid, string CommandLine, Dictionary<string, string> Environment)
    {
        /// <summary>The <c>dotnet run</c> that started the service rather than the service itself (both carry the same environment).</summary>
        public bool IsLauncher => CommandLine.StartsWith("dotnet run", StringComparison.Ordinal);
    }

    /// <summary>
    /// The audit service: a process whose command line names DocAIche.Audit and whose environment has
    /// the audit database (that leaves out builds of the project and this benchmark). Several processes
    /// with the same settings are one instance (a launcher and its service); several instances
    /// (integration tests start their own) need <c>--pid</c>.
    /// </summary>
    private static ProcessInfo FindAuditService(int? pid)
    {
        var found = new List<ProcessInfo>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), CultureInfo.InvariantCulture, out var candidate) || candidate == Environment.ProcessId ||
                (pid is not null && candidate != pid))
            {
                continue;
            }
            try
            {
                var commandLine = File.ReadAllText(Path.Combine(directory, "cmdline")).Replace('\0', ' ').Trim();
                if (!commandLine.Contains("DocAIche.Audit", StringComparison.Ordinal) || commandLine.Contains("DocAIche.AuditBenchmark", StringComparison.Ordinal))
                {
                    continue;
                }
                var environment = File.ReadAllText(Path.Combine(directory, "environ"))
                    .Split('\0', StringSplitOptions.RemoveEmptyEntries)
                    .Select(v => v.Split('=', 2))
                    .Where(v => v.Length == 2)
                    .GroupBy(v => v[0], StringComparer.Ordinal)
                    .ToDictionary(g => g.Key, g => g.First()[1], StringComparer.Ordinal);
                if (environment.ContainsKey("ConnectionStrings__auditdb"))
                {
                    found.Add(new ProcessInfo(candidate, commandLine, environment));
                }
            }
            catch (IOException)
            {
                // It ended while being read.
            }
            catch (UnauthorizedAccessException)
            {
            }
        }

        if (found.Count == 0)
        {
            throw new InvalidOperationException(pid is null
                ? "No running audit service found (no process naming DocAIche.Audit with ConnectionStrings__auditdb in its environment): start DocAIche with ./run.sh."
                : $"Process {pid} is not an audit service with ConnectionStrings__auditdb in its environment.");
        }
        var instances = found
            .GroupBy(p => $"{p.Environment.GetValueOrDefault("ConnectionStrings__messaging")}|{p.Environment["ConnectionStrings__auditdb"]}", StringComparer.Ordinal)
            .ToList();
        if (instances.Count > 1)
        {
            throw new InvalidOperationException(
                $"{instances.Count} audit services with different settings run: {string.Join("; ", instances.Select(i => "pids " + string.Join(", ", i.Select(p => p.Pid))))}. " +
                "Pass --pid to say which.");
        }
        // The service binary first: its CPU time is the service's.
        return found.OrderBy(p => p.IsLauncher ? 1 : 0).First();
    }

    /// <summary>User plus system CPU time of a process so far, from <c>/proc/&lt;pid&gt;/stat</c>, or null once it is gone.</summary>
    public static TimeSpan? CpuTime(int pid)
    {
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
