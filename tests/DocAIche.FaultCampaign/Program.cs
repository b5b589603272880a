// The fault campaign of the high-availability profile: DocAIche started from the real AppHost with
// DOCAICHE_REPLICAS=2 (two instances of every service, two gateways behind HAProxy, real PostgreSQL,
// Redis and RabbitMQ), steady mixed load through the front (searches, MCP tool calls, sign-ins
// through the form, keyed writes, uploads that start ingestion jobs, live clients), and faults one at
// a time, in random order: every instance of every service killed (SIGKILL) and, separately, stopped
// (SIGTERM), each started again; one gateway killed and the other stopped; Redis, RabbitMQ and
// PostgreSQL each stopped and started; then a rolling restart of every instance (unless
// --no-rolling). Prints per fault the failed requests by status and how long until every indicator
// was back to normal, then checks that every accepted write reached documents, search, audit and the
// live clients exactly once, that every accepted upload's job succeeded once and its page was stored,
// indexed, audited and announced once, and the availability over the whole run. Only loopback is
// contacted. Prints its numbers; asserts nothing.
//
//   dotnet run -c Release --project tests/DocAIche.FaultCampaign -- [--seed N] [--down 5] [--observe 15] [--quick] [--no-rolling]
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using DocAIche.IntegrationTests.Support;
using Microsoft.Extensions.DependencyInjection;

CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;

string? Value(string name) => Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;
var seed = int.Parse(Value("--seed") ?? "7", CultureInfo.InvariantCulture);
var down = TimeSpan.FromSeconds(double.Parse(Value("--down") ?? "5", CultureInfo.InvariantCulture));
var observe = TimeSpan.FromSeconds(double.Parse(Value("--observe") ?? "15", CultureInfo.InvariantCulture));
var quick = args.Contains("--quick");
var random = new Random(seed);

Console.WriteLine($"# DocAIche fault campaign, {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC; seed {seed}, each fault down {down.TotalSeconds:0} s, observed {observe.TotalSeconds:0} s after");
var clock = Stopwatch.StartNew();
// The tests' fixture re-checks API keys every 2 s and allows 100 credential attempts; a campaign's
// steady load with one key would spend them in minutes and meet 429s that no fault caused.
var docaiche = DocAIcheFixture.WithSettings(["DOCAICHE_REPLICAS=2", "Gateway:ApiKeyCacheSeconds=300", "Gateway:Edge:CredentialAttempts:TokenLimit=100000"]);
await docaiche.InitializeAsync();
var campaign = new Campaign(docaiche, clock);
try
{
    Console.WriteLine($"started in {clock.Elapsed.TotalSeconds:0} s; front {docaiche.GatewayAddress}");
    var apiKey = await campaign.CreateApiKeyAsync();
    var load = new Load(docaiche.GatewayAddress, apiKey, clock) { SignIn = (DocAIcheFixture.OwnerEmail, docaiche.OwnerPassword) };
    using var stop = new CancellationTokenSource();
    var running = load.RunAsync(readers: 2, writers: 1, watchers: 2, stop.Token);

    // A quiet minute first: the baseline every fault is compared with.
    await Task.Delay(TimeSpan.FromSeconds(20));
    var faults = Faults.Plan(random, quick);
    var results = new List<FaultResult>();
    foreach (var fault in faults)
    {
        var started = clock.Elapsed;
        Console.WriteLine($"{started.TotalSeconds,6:0.0} s  {fault.Name}");
        var restarted = await campaign.InflictAsync(fault, down);
        await Task.Delay(observe);
        results.Add(FaultResult.From(fault, started, restarted, clock.Elapsed, load));
    }

    if (!args.Contains("--no-rolling"))
    {
        // A rolling restart, as a release does it: every instance in turn stopped (SIGTERM), started, healthy again.
        var started = clock.Elapsed;
        Console.WriteLine($"{started.TotalSeconds,6:0.0} s  rolling restart of every instance");
        var restarted = await campaign.RollingRestartAsync();
        await Task.Delay(observe);
        var instances = docaiche.App.Services.GetRequiredService<DistributedApplicationModel>().Resources.OfType<ProjectResource>().Count();
        results.Add(FaultResult.From(new Fault($"rolling restart of all {instances} instances (SIGTERM, start, healthy, next)", "", FaultKind.Terminate), started, restarted, clock.Elapsed, load));
    }

    await Task.Delay(TimeSpan.FromSeconds(20)); // the last events on their way
    stop.Cancel();
    await running;

    Report.Print(results, load, clock.Elapsed);
    // With the key: the owner's token from the start may have expired by now.
    using var verifier = new HttpClient { BaseAddress = docaiche.GatewayAddress, DefaultRequestHeaders = { { "X-Api-Key", apiKey } } };
    await Report.VerifyWritesAsync(verifier, load);
    await Report.VerifyUploadsAsync(verifier, load);
}
finally
{
    await docaiche.DisposeAsync();
}
return 0;

internal sealed record Fault(string Name, string Resource, FaultKind Kind);

internal enum FaultKind
{
    Kill,
    Terminate,
    Restart,
}

internal static class Faults
{
    private static readonly string[] Services = ["identity", "documents", "search", "audit", "websocket"];

    /// <summary>
    /// Every fault once, in random order: each instance of each service killed (SIGKILL) and, at another
    /// moment, stopped (SIGTERM); one gateway killed and the other stopped; each server restarted.
    /// </summary>
    public static List<Fault> Plan(Random random, bool quick)
    {
        var faults = new List<Fault>();
        foreach (var service in quick ? ["search", "documents"] : Services)
        {
            foreach (var instance in new[] { service, $"{service}-2" })
            {
                faults.Add(new Fault($"SIGKILL {instance}", instance, FaultKind.Kill));
                if (!quick)
                {
                    faults.Add(new Fault($"SIGTERM {instance}", instance, FaultKind.Terminate));
                }
            }
        }
        var gateway = random.Next(2) == 0 ? "gateway" : "gateway-2";
        faults.Add(new Fault($"SIGKILL {gateway}", gateway, FaultKind.Kill));
        if (!quick)
        {
            var other = gateway == "gateway" ? "gateway-2" : "gateway";
            faults.Add(new Fault($"SIGTERM {other}", other, FaultKind.Terminate));
        }
        foreach (var server in quick ? ["redis"] : new[] { "redis", "rabbitmq", "postgres" })
        {
            faults.Add(new Fault($"restart {server}", server, FaultKind.Restart));
        }
        return [.. faults.OrderBy(_ => random.Next())];
    }
}

internal sealed class Campaign(DocAIcheFixture docaiche, Stopwatch clock)
{
    public async Task<string> CreateApiKeyAsync()
    {
        using var response = await docaiche.Gateway.PostAsJsonAsync("/api/v1/api-keys", new { name = "fault-campaign" });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("key").GetString()!;
    }

    /// <summary>Inflicts the fault, waits <paramref name="down"/>, starts the resource again; returns when it was healthy again.</summary>
    public async Task<TimeSpan?> InflictAsync(Fault fault, TimeSpan down)
    {
        var app = docaiche.App;
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        switch (fault.Kind)
        {
            case FaultKind.Kill:
                ResourceProcesses.Kill(fault.Resource);
                break;
            default:
                await app.ResourceCommands.ExecuteCommandAsync(fault.Resource, KnownResourceCommands.StopCommand, timeout.Token);
                break;
        }
        await app.ResourceNotifications.WaitForResourceAsync(fault.Resource, [KnownResourceStates.Exited, KnownResourceStates.Finished, KnownResourceStates.FailedToStart], timeout.Token);
        await Task.Delay(down);
        await app.ResourceCommands.ExecuteCommandAsync(fault.Resource, KnownResourceCommands.StartCommand, timeout.Token);
        try
        {
            await app.ResourceNotifications.WaitForResourceHealthyAsync(fault.Resource, timeout.Token);
            return clock.Elapsed;
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    public async Task<TimeSpan?> RollingRestartAsync()
    {
        var app = docaiche.App;
        foreach (var instance in app.Services.GetRequiredService<DistributedApplicationModel>().Resources.OfType<ProjectResource>().Select(r => r.Name))
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
            await app.ResourceCommands.ExecuteCommandAsync(instance, KnownResourceCommands.StopCommand, timeout.Token);
            await app.ResourceNotifications.WaitForResourceAsync(instance, [KnownResourceStates.Exited, KnownResourceStates.Finished], timeout.Token);
            await app.ResourceCommands.ExecuteCommandAsync(instance, KnownResourceCommands.StartCommand, timeout.Token);
            await app.ResourceNotifications.WaitForResourceHealthyAsync(instance, timeout.Token);
        }
        return clock.Elapsed;
    }
}

internal sealed record FaultResult(string Name, FaultKind Kind, int Requests, int Failed, Dictionary<string, int> FailedByStatus, double? RecoverySeconds, double? RestartedSeconds, int LiveCuts)
{
    public static FaultResult From(Fault fault, TimeSpan started, TimeSpan? restarted, TimeSpan ended, Load load)
    {
        var window = load.Samples.Where(s => s.At >= started && s.At < ended).ToList();
        var requests = window.Where(s => s.Kind != "live").ToList();
        var failed = window.Where(s => !s.Ok).ToList();
        // Back to normal: after the last failure of the window (a refused read, write or live connection), every indicator succeeds again.
        double? recovery = failed.Count == 0 ? 0 : (failed.Max(s => s.At) - started).TotalSeconds;
        return new FaultResult(
            fault.Name,
            fault.Kind,
            requests.Count,
            requests.Count(s => !s.Ok),
            failed.GroupBy(s => $"{s.Kind} {(s.Status == 0 ? "no answer" : s.Status.ToString(CultureInfo.InvariantCulture))}").ToDictionary(g => g.Key, g => g.Count()),
            recovery,
            restarted is { } r ? (r - started).TotalSeconds : null,
            window.Count(s => s.Kind == "live" && !s.Ok));
    }
}

internal static class Report
{
    public static void Print(List<FaultResult> results, Load load, TimeSpan elapsed)
    {
        Console.WriteLine();
        Console.WriteLine("| fault | requests | failed (by kind and status) | recovered after | instance healthy again after | live clients cut |");
        Console.WriteLine("|---|---:|---|---:|---:|---:|");
        foreach (var r in results)
        {
            var failed = r.FailedByStatus.Count == 0 ? "none" : string.Join(", ", r.FailedByStatus.Select(f => $"{f.Key}: {f.Value}"));
            Console.WriteLine($"| {r.Name} | {r.Requests} | {failed} | {r.RecoverySeconds:0.0} s | {(r.RestartedSeconds is { } s ? $"{s:0.0} s" : "not healthy")} | {r.LiveCuts} |");
        }

        var samples = load.Samples.Where(s => s.Kind != "live").ToList();
        foreach (var kind in new[] { "mcp", "sign-in" })
        {
            var some = samples.Where(s => s.Kind == kind).ToList();
            Console.WriteLine($"{kind}: {some.Count} ({some.Count(s => s.Ok) * 100.0 / Math.Max(1, some.Count):0.000} % answered, after one retry)");
        }
        var ingest = samples.Where(s => s.Kind == "ingest").ToList();
        Console.WriteLine($"ingestion writes (library, upload source, upload): {ingest.Count} attempts ({ingest.Count(s => s.Ok) * 100.0 / Math.Max(1, ingest.Count):0.000} % accepted at once); uploads accepted as jobs {load.Uploads.Count}, abandoned after a minute of retries {load.UploadsAbandoned}");
        var reads = samples.Where(s => s.Kind == "search").ToList();
        var writes = samples.Where(s => s.Kind == "write").ToList();
        Console.WriteLine();
        Console.WriteLine($"run: {elapsed.TotalMinutes:0.0} min; searches {reads.Count} ({reads.Count(s => s.Ok) * 100.0 / Math.Max(1, reads.Count):0.000} % answered, after one retry)");
        Console.WriteLine($"write attempts {writes.Count} ({writes.Count(s => s.Ok) * 100.0 / Math.Max(1, writes.Count):0.000} % accepted at once); writes accepted {load.Accepted.Count}, abandoned after a minute of retries {load.Abandoned}");
        Console.WriteLine($"availability over the run (searches, MCP calls, sign-ins, write and ingestion attempts): {samples.Count(s => s.Ok) * 100.0 / Math.Max(1, samples.Count):0.000} %");
        // The issue's target is for instances: what callers saw while service instances and gateways were killed or stopped.
        var instanceFaults = results.Where(r => r.Kind != FaultKind.Restart).ToList();
        var instanceRequests = instanceFaults.Sum(r => r.Requests);
        Console.WriteLine($"availability during the instance faults and the rolling restart: {(instanceRequests - instanceFaults.Sum(r => r.Failed)) * 100.0 / Math.Max(1, instanceRequests):0.000} % of {instanceRequests} requests");
        foreach (var (watcher, i) in load.Watchers.Select((w, i) => (w, i)))
        {
            Console.WriteLine($"live client {i + 1}: reconnected {watcher.Reconnections} times, replay unavailable {watcher.ReplayUnavailable} times");
        }
    }

    /// <summary>How many audit records of <paramref name="action"/> name each target: one export, not a request per target.</summary>
    private static async Task<Dictionary<Guid, int>> AuditedAsync(HttpClient gateway, string action = "library.created")
    {
        var counts = new Dictionary<Guid, int>();
        var export = await gateway.GetStringAsync($"/api/v1/audit/records/export?format=jsonl&action={action}");
        foreach (var line in export.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            using var record = JsonDocument.Parse(line);
            if (Guid.TryParse(record.RootElement.GetProperty("targetId").GetString(), out var id))
            {
                counts[id] = counts.GetValueOrDefault(id) + 1;
            }
        }
        return counts;
    }

    /// <summary>Every accepted write, exactly once in documents, search, audit and each live client.</summary>
    public static async Task VerifyWritesAsync(HttpClient gateway, Load load)
    {
        var accepted = load.Accepted.Keys.ToHashSet();

        var stored = new List<Guid>();
        string? cursor = null;
        do
        {
            var page = await gateway.GetFromJsonAsync<JsonElement>($"/api/v1/libraries?limit=200{(cursor is null ? "" : $"&cursor={Uri.EscapeDataString(cursor)}")}");
            stored.AddRange(page.GetProperty("items").EnumerateArray().Select(l => l.GetProperty("id").GetGuid()));
            cursor = page.TryGetProperty("nextCursor", out var next) && next.ValueKind == JsonValueKind.String ? next.GetString() : null;
        }
        while (cursor is not null);

        // Events still on their way get a minute to arrive; what is missing after that is lost.
        var searchable = new List<Guid>();
        var audited = new Dictionary<Guid, int>();
        for (var attempt = 0; attempt < 12; attempt++)
        {
            var status = await gateway.GetFromJsonAsync<JsonElement>("/api/v1/search/status");
            searchable = [.. status.GetProperty("libraries").EnumerateArray().Select(l => l.GetProperty("libraryId").GetGuid())];
            audited = await AuditedAsync(gateway);
            if (accepted.All(searchable.Contains) && accepted.All(audited.ContainsKey))
            {
                break;
            }
            await Task.Delay(TimeSpan.FromSeconds(5));
        }
        // Duplicates had time to arrive too: count the audit records once more.
        audited = await AuditedAsync(gateway);

        Console.WriteLine();
        Console.WriteLine($"accepted writes: {accepted.Count}");
        Console.WriteLine($"  documents: lost {accepted.Count(id => !stored.Contains(id))}, duplicated {stored.GroupBy(id => id).Count(g => g.Count() > 1)}");
        Console.WriteLine($"  search:    lost {accepted.Count(id => !searchable.Contains(id))}, duplicated {searchable.Where(accepted.Contains).GroupBy(id => id).Count(g => g.Count() > 1)}");
        Console.WriteLine($"  audit:     lost {accepted.Count(id => !audited.ContainsKey(id))}, duplicated {accepted.Count(id => audited.GetValueOrDefault(id) > 1)}");
        foreach (var (watcher, i) in load.Watchers.Select((w, i) => (w, i)))
        {
            Console.WriteLine($"  live client {i + 1}: missed {accepted.Count(id => !watcher.Seen.ContainsKey(id))}, received twice or more {accepted.Count(id => watcher.Seen.GetValueOrDefault(id) > 1)}");
        }
        Console.WriteLine($"  names written twice: {load.Accepted.Values.GroupBy(n => n).Count(g => g.Count() > 1)}");
    }

    /// <summary>
    /// Every accepted upload: its job succeeded, exactly once announced to each live client; its page
    /// stored once, its word found in search in that page's chunks only once each, its upload audited once.
    /// </summary>
    public static async Task VerifyUploadsAsync(HttpClient gateway, Load load)
    {
        var uploads = load.Uploads.Values.ToList();
        var states = new Dictionary<Guid, string>();
        // Jobs queued when the load stopped get two minutes to run.
        for (var attempt = 0; attempt < 24; attempt++)
        {
            foreach (var upload in uploads.Where(u => states.GetValueOrDefault(u.JobId) is null or "queued" or "running"))
            {
                states[upload.JobId] = (await GetAsync(gateway, $"/api/v1/jobs/{upload.JobId}")).GetProperty("state").GetString()!;
            }
            if (states.Values.All(s => s is not ("queued" or "running")))
            {
                break;
            }
            await Task.Delay(TimeSpan.FromSeconds(5));
        }

        int storedLost = 0, storedTwice = 0, searchLost = 0, searchTwice = 0;
        foreach (var upload in uploads)
        {
            var documents = (await GetAsync(gateway, $"/api/v1/documents?libraryId={upload.LibraryId}&version=1&limit=10")).GetProperty("items").EnumerateArray()
                .Select(d => d.GetProperty("id").GetGuid()).ToList();
            storedLost += documents.Count == 0 ? 1 : 0;
            storedTwice += documents.Count > 1 ? 1 : 0;
            var chunks = 0;
            foreach (var document in documents)
            {
                chunks += (await GetAsync(gateway, $"/api/v1/documents/{document}/chunks")).EnumerateArray()
                    .Count(c => c.GetProperty("content").GetString()!.Contains(upload.Word, StringComparison.Ordinal));
            }
            // The index catches up with the last pages within a minute; what it lacks after that is lost.
            var hits = 0;
            for (var attempt = 0; attempt < 12; attempt++)
            {
                hits = (await GetAsync(gateway, $"/api/v1/search?q={upload.Word}&limit=20")).GetProperty("results").EnumerateArray()
                    .Count(h => h.GetProperty("content").GetString()!.Contains(upload.Word, StringComparison.Ordinal));
                if (hits >= chunks && chunks > 0)
                {
                    break;
                }
                await Task.Delay(TimeSpan.FromSeconds(5));
            }
            searchLost += hits == 0 ? 1 : 0;
            searchTwice += hits > chunks ? 1 : 0;
        }
        var audited = await AuditedAsync(gateway, "source.uploaded");

        Console.WriteLine();
        Console.WriteLine($"accepted uploads (ingestion jobs): {uploads.Count}");
        Console.WriteLine($"  jobs:      {string.Join(", ", states.Values.GroupBy(s => s).OrderBy(g => g.Key).Select(g => $"{g.Key} {g.Count()}"))}");
        Console.WriteLine($"  documents: lost {storedLost}, duplicated {storedTwice}");
        Console.WriteLine($"  search:    lost {searchLost}, duplicated {searchTwice}");
        Console.WriteLine($"  audit:     lost {uploads.Count(u => !audited.ContainsKey(u.SourceId))}, duplicated {uploads.Count(u => audited.GetValueOrDefault(u.SourceId) > 1)}");
        foreach (var (watcher, i) in load.Watchers.Select((w, i) => (w, i)))
        {
            Console.WriteLine($"  live client {i + 1}: job ends missed {uploads.Count(u => !watcher.JobsFinished.ContainsKey(u.JobId))}, received twice or more {uploads.Count(u => watcher.JobsFinished.GetValueOrDefault(u.JobId) > 1)}");
        }
    }

    /// <summary>A read for the verification, waiting out rate limits and retrying what a fault's tail may still fail.</summary>
    private static async Task<JsonElement> GetAsync(HttpClient gateway, string path)
    {
        for (var attempt = 1; ; attempt++)
        {
            using var response = await gateway.GetAsync(path);
            if (response.IsSuccessStatusCode || attempt == 10)
            {
                response.EnsureSuccessStatusCode();
                return await response.Content.ReadFromJsonAsync<JsonElement>();
            }
            await Task.Delay(response.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(1));
        }
    }
}
