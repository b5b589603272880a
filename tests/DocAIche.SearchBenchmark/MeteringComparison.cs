using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

/// <summary>
/// Whether metering slows searches: two more instances of the running search service, started here
/// from the same binary and environment at the same moment, one with metering on and one with it
/// off (<c>QueryHistory__Enabled=false</c>: nothing is written to the query history). Both share the
/// database, the Redis cache and the CPU; the same kind of queries go to each in alternating rounds
/// (the order flips every round), so what differs is the metering, not the age or the load of a
/// process. Only loopback is contacted.
/// </summary>
internal static class MeteringComparison
{
    private const int Rounds = 8;
    private const int UncachedPerRound = 40;
    private const int CachedPerRound = 150;

    public static async Task RunAsync(
        BenchmarkOptions options, string library, Func<string> nextQuery, Action<string, string, string> report, CancellationToken stop)
    {
        if (options.SearchPid is not { } pid)
        {
            Console.WriteLine("the running search service's process was not found: metering comparison skipped");
            return;
        }
        var (onPort, offPort) = (FreePort(), FreePort());
        using var metered = Start(pid, onPort, metering: true);
        using var unmetered = Start(pid, offPort, metering: false);
        if (metered is null || unmetered is null)
        {
            Console.WriteLine("the search service's command line or environment could not be read: metering comparison skipped");
            return;
        }
        try
        {
            var onAddress = new Uri($"http://127.0.0.1:{onPort.ToString(CultureInfo.InvariantCulture)}");
            var offAddress = new Uri($"http://127.0.0.1:{offPort.ToString(CultureInfo.InvariantCulture)}");
            if (!await ReadyAsync(onAddress, metered, "metering on", stop) || !await ReadyAsync(offAddress, unmetered, "metering off", stop))
            {
                Console.WriteLine("an instance did not become ready within 3 minutes: metering comparison skipped");
                return;
            }
            using var on = new SearchTarget("metering on", onAddress, options, library);
            using var off = new SearchTarget("metering off", offAddress, options, library);
            var results = new Dictionary<(string Kind, string Target), LoadResult>();
            LoadResult Result(string kind, SearchTarget target) =>
                results.TryGetValue((kind, target.Name), out var found) ? found : results[(kind, target.Name)] = new LoadResult();

            foreach (var target in new[] { on, off })
            {
                await target.SequentialAsync(Enumerable.Range(0, 60).Select(_ => nextQuery()), stop); // warm-up: JIT, connections, plans
            }
            var hot = Enumerable.Range(0, 20).Select(_ => nextQuery()).ToList();
            await on.SequentialAsync(hot, stop); // fills the shared cache for both
            for (var round = 0; round < Rounds && !stop.IsCancellationRequested; round++)
            {
                foreach (var target in round % 2 == 0 ? new[] { on, off } : [off, on])
                {
                    for (var i = 0; i < UncachedPerRound; i++)
                    {
                        await target.SearchAsync(nextQuery(), Result("uncached", target), stop);
                    }
                    for (var i = 0; i < CachedPerRound; i++)
                    {
                        await target.SearchAsync(hot[i % hot.Count], Result("cached", target), stop);
                    }
                }
            }
            foreach (var kind in new[] { "uncached", "cached" })
            {
                var with = Result(kind, on);
                var without = Result(kind, off);
                foreach (var (name, result) in new[] { ("metering on", with), ("metering off", without) })
                {
                    Console.WriteLine($"{kind,-8} {name,-12} p50 {result.Percentile(50),7:0.00} ms  p95 {result.Percentile(95),7:0.00} ms  " +
                        $"p99 {result.Percentile(99),7:0.00} ms  mean {result.Mean,7:0.00} ms | {result.Ok} ok, {result.Errors} errors ({result.ErrorSummary})");
                }
                var p50 = with.Percentile(50) - without.Percentile(50);
                var p95 = with.Percentile(95) - without.Percentile(95);
                Console.WriteLine($"{kind,-8} metering costs p50 {p50:+0.00;-0.00} ms, p95 {p95:+0.00;-0.00} ms (on minus off)");
                report($"4b. metering {kind}", "p50 / p95 on vs off (ms)",
                    $"{with.Percentile(50):0.00} / {with.Percentile(95):0.00} vs {without.Percentile(50):0.00} / {without.Percentile(95):0.00} " +
                    $"(difference {p50:+0.00;-0.00} / {p95:+0.00;-0.00}; {with.Ok}+{without.Ok} searches)");
            }
        }
        finally
        {
            Stop(metered);
            Stop(unmetered);
        }
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    /// <summary>The running service's binary with its environment, on <paramref name="port"/> of loopback, metering on or off.</summary>
    private static Process? Start(int pid, int port, bool metering)
    {
        string[] commandLine;
        Dictionary<string, string> environment;
        try
        {
            commandLine = File.ReadAllText($"/proc/{pid}/cmdline").Split('\0', StringSplitOptions.RemoveEmptyEntries);
            environment = File.ReadAllText($"/proc/{pid}/environ").Split('\0', StringSplitOptions.RemoveEmptyEntries)
                .Select(e => e.Split('=', 2)).Where(e => e.Length == 2)
                .GroupBy(e => e[0], StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First()[1], StringComparer.Ordinal);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return null;
        }
        if (commandLine.Length == 0)
        {
            return null;
        }
        var start = new ProcessStartInfo(commandLine[0]) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in commandLine.Skip(1))
        {
            start.ArgumentList.Add(argument);
        }
        start.Environment.Clear();
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }
        foreach (var name in new[] { "HTTP_PORTS", "ASPNETCORE_HTTP_PORTS", "HTTPS_PORTS", "ASPNETCORE_HTTPS_PORTS", "URLS" })
        {
            start.Environment.Remove(name);
        }
        start.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}";
        start.Environment["QueryHistory__Enabled"] = metering ? "true" : "false";
        start.Environment["OTEL_SERVICE_NAME"] = metering ? "search-metered-benchmark" : "search-unmetered-benchmark";
        var process = Process.Start(start);
        if (process is not null)
        {
            // Drained so that a chatty log never blocks the instance on a full pipe.
            process.OutputDataReceived += (_, _) => { };
            process.ErrorDataReceived += (_, _) => { };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
        }
        return process;
    }

    private static async Task<bool> ReadyAsync(Uri address, Process process, string name, CancellationToken stop)
    {
        using var http = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(5) };
        var waited = Stopwatch.StartNew();
        while (waited.Elapsed < TimeSpan.FromMinutes(3) && !process.HasExited)
        {
            try
            {
                using var response = await http.GetAsync("/health", stop);
                if (response.IsSuccessStatusCode)
                {
                    Console.WriteLine($"search instance {name} (pid {process.Id}) ready at {address} after {waited.Elapsed.TotalSeconds:0} s");
                    return true;
                }
            }
            catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
            {
            }
            await Task.Delay(1000, stop);
        }
        return false;
    }

    private static void Stop(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(10_000);
            }
        }
        catch (InvalidOperationException)
        {
        }
    }
}
