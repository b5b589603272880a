using DocAIche.ServiceDefaults.Data;
// The audit trail against a running DocAIche: (1) ingest throughput - AuditEventOccurred events
// published to RabbitMQ as fast as the broker confirms them, timed from the first publish until
// every one is a row of audit_records (consumed, inbox row written, actor sealed with its per-subject
// key, appended to the tenant's hash chain under the chain's row lock, committed) - and the disk each
// record takes; (2) hash-chain verification speed - the audit service's own ChainVerifier, run in
// this process against the audit database, three times per tenant (the first is cold). A tenant's
// appends are serialised by its chain lock, so --tenants T > 1 shows how far chains of different
// tenants append in parallel. The events go to fresh "bench-xxxxxxxx" tenants, removed at the end.
// Only loopback is ever contacted.
//
// DocAIche must be running (./run.sh); the broker, the audit database (owner login) and the checkpoint
// key are read from the audit service's process environment (/proc/<pid>/environ, as root).
//   dotnet run -c Release --project tests/DocAIche.AuditBenchmark -- [--events N] [--tenants T] [--keep]
// See BenchmarkOptions.Usage for every option.
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using DocAIche.Audit.Infrastructure;
using DocAIche.Audit.Trail;
using DocAIche.Contracts.Audit;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};
var stop = cancel.Token;

BenchmarkOptions options;
try
{
    options = BenchmarkOptions.Parse(args);
}
catch (Exception exception) when (exception is ArgumentException or InvalidOperationException or FormatException)
{
    Console.Error.WriteLine(exception.Message);
    return 2;
}

var database = new NpgsqlConnectionStringBuilder(options.AuditDb);
Console.WriteLine($"# DocAIche audit benchmark, {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC");
Console.WriteLine("Measures (1) ingest: AuditEventOccurred events published to RabbitMQ until each is a chained row of audit_records, in records/s,");
Console.WriteLine("and the disk a record takes; (2) verification: the audit service's ChainVerifier walking each benchmark tenant's chain, in records/s.");
Console.WriteLine($"command: dotnet run -c Release --project tests/DocAIche.AuditBenchmark -- {string.Join(' ', args)}");
Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}");
Console.WriteLine($"audit service pid {options.AuditPid}: {options.AuditCommandLine}");
Console.WriteLine($"broker {options.Messaging.Host}:{AmqpPort(options.Messaging)} vhost '{VirtualHost(options.Messaging)}', " +
    $"audit database {database.Host}:{database.Port}/{database.Database} as '{database.Username}'");
if (options.CheckpointKey is null)
{
    Console.WriteLine("warning: the audit service's environment has no Audit__CheckpointKey; the benchmark tenants have no retention checkpoint, " +
        "so verification does not need it, and a placeholder is used");
}

await using var db = new AuditDatabase(options.AuditDb);
try
{
    if (!await db.IsMigratedAsync(stop))
    {
        Console.Error.WriteLine($"The audit database {database.Database} has no audit_records table: has the audit service migrated it?");
        return 2;
    }
}
catch (NpgsqlException exception)
{
    Console.Error.WriteLine($"The audit database cannot be reached: {exception.Message}");
    return 2;
}

var tenants = Enumerable.Range(0, options.Tenants).Select(_ => "bench-" + RandomNumberGenerator.GetHexString(8, lowercase: true)).Distinct().ToArray();
if (tenants.Length != options.Tenants)
{
    Console.Error.WriteLine("Two benchmark tenant ids collided; run again.");
    return 2;
}
Console.WriteLine($"benchmark tenants: {string.Join(", ", tenants)}");
Console.WriteLine();

// The bus exactly as the services build theirs (MessagingExtensions.AddMessaging): publisher
// confirmation on, no usage telemetry, MassTransit's default publish topology (one fanout exchange
// per message type, which the audit service's queue is bound to). Nothing is consumed here.
var services = new ServiceCollection();
services.AddLogging(logging => logging.AddSimpleConsole(console => console.SingleLine = true).SetMinimumLevel(LogLevel.Warning));
services.AddMassTransit(bus =>
{
    bus.DisableUsageTelemetry();
    bus.UsingRabbitMq((_, rabbit) =>
    {
        rabbit.Host(options.Messaging, host =>
        {
            var credentials = options.Messaging.UserInfo.Split(':', 2);
            if (credentials.Length == 2)
            {
                host.Username(Uri.UnescapeDataString(credentials[0]));
                host.Password(Uri.UnescapeDataString(credentials[1]));
            }
            host.PublisherConfirmation = true;
        });
    });
});
await using var provider = services.BuildServiceProvider();
var bus = provider.GetRequiredService<IBusControl>();
try
{
    using var startTimeout = CancellationTokenSource.CreateLinkedTokenSource(stop);
    startTimeout.CancelAfter(TimeSpan.FromSeconds(30));
    await bus.StartAsync(startTimeout.Token);
}
catch (Exception exception)
{
    Console.Error.WriteLine($"RabbitMQ at {options.Messaging.Host}:{AmqpPort(options.Messaging)} cannot be reached: {exception.Message}");
    return 2;
}

var exitCode = 0;
var ingestComplete = false;
var published = false;
var summary = new List<(string Measurement, string Value)>();
try
{
    // ---- 1. Ingest.
    Step($"1. Ingest: {options.Events:N0} events over {tenants.Length} tenant(s), {options.Concurrency} publishes in flight");
    var events = Events(options.Events, tenants);
    Console.WriteLine($"events: actor one of 50 users (personal: actor, address and details sealed with the user's key), action 'library.updated', " +
        "target a library id, outcome success, client address 127.0.0.x, a trace id and 2 details");
    var sizeBefore = await db.TotalSizeAsync(stop);
    var cpuBefore = BenchmarkOptions.CpuTime(options.AuditPid);

    var clock = Stopwatch.StartNew();
    var publishedIn = TimeSpan.Zero;
    published = true;
    var publishing = Task.Run(async () =>
    {
        await Parallel.ForEachAsync(events, new ParallelOptions { MaxDegreeOfParallelism = options.Concurrency, CancellationToken = stop },
            async (happened, token) => await bus.Publish(happened, token));
        publishedIn = clock.Elapsed;
    }, stop);

    long recorded = 0;
    TimeSpan? firstRecord = null;
    var lastChange = TimeSpan.Zero;
    var lastPrint = TimeSpan.Zero;
    var stallAfter = TimeSpan.FromSeconds(60);
    while (true)
    {
        await Task.Delay(200, stop);
        var now = await db.CountAsync(tenants, stop);
        var elapsed = clock.Elapsed;
        if (now != recorded)
        {
            lastChange = elapsed;
            firstRecord ??= elapsed;
        }
        recorded = now;
        if (recorded >= options.Events)
        {
            break;
        }
        if (publishing.IsFaulted)
        {
            Console.WriteLine($"publishing FAILED after {elapsed.TotalSeconds:0.0} s: {publishing.Exception?.GetBaseException().Message}");
            break;
        }
        if (elapsed - lastChange > stallAfter)
        {
            Console.WriteLine($"STALLED: {recorded:N0} of {options.Events:N0} recorded and no new record for {stallAfter.TotalSeconds:0} s " +
                $"({(publishing.IsCompleted ? "all published" : "still publishing")}; is the audit service consuming? see its log and the RabbitMQ queue)");
            break;
        }
        if (elapsed - lastPrint >= TimeSpan.FromSeconds(2))
        {
            lastPrint = elapsed;
            Console.WriteLine($"  {elapsed.TotalSeconds,6:0.0} s: {recorded,9:N0} recorded ({recorded / elapsed.TotalSeconds:0} records/s so far)" +
                (publishing.IsCompleted ? "" : ", still publishing"));
        }
    }
    var total = clock.Elapsed;
    var cpu = BenchmarkOptions.CpuTime(options.AuditPid) - cpuBefore;
    if (recorded < options.Events)
    {
        exitCode = 1;
        summary.Add(("ingest", $"INCOMPLETE: {recorded:N0} of {options.Events:N0} recorded after {total.TotalSeconds:0.0} s"));
    }
    else
    {
        ingestComplete = true;
        await publishing; // done by now: every event was recorded
        var rate = options.Events / total.TotalSeconds;
        Console.WriteLine($"published {options.Events:N0} events in {publishedIn.TotalSeconds:0.00} s ({options.Events / publishedIn.TotalSeconds:0} events/s confirmed by the broker)");
        Console.WriteLine($"first record after {firstRecord?.TotalMilliseconds:0} ms; all {recorded:N0} recorded {total.TotalSeconds:0.00} s after the first publish " +
            "(polled every 200 ms)");
        Console.WriteLine($"ingest: {rate:0} records/s" +
            (cpu is { } used ? $"; audit service CPU {used.TotalMilliseconds / options.Events:0.00} ms/record ({used.TotalSeconds / total.TotalSeconds:P0} of one core)" : ""));
        summary.Add(("ingest, events published (confirmed)", $"{options.Events:N0} in {publishedIn.TotalSeconds:0.00} s"));
        summary.Add(("ingest, first publish to last record", $"{total.TotalSeconds:0.00} s"));
        summary.Add(("ingest throughput", $"{rate:0} records/s ({tenants.Length} tenant(s))"));

        var sizeAfter = await db.TotalSizeAsync(stop);
        var row = await db.MeanRowSizeAsync(tenants, stop);
        var keys = await db.SubjectKeysAsync(tenants, stop);
        var perRecord = (double)(sizeAfter - sizeBefore) / options.Events;
        Console.WriteLine($"size: pg_total_relation_size('audit_records') grew {(sizeAfter - sizeBefore) / 1024.0 / 1024.0:0.0} MiB = {perRecord:0} B/record " +
            "(table, TOAST and every index; approximate: other tenants' writes count too, and space freed by earlier runs is reused); " +
            $"mean heap row {row:0} B (pg_column_size); {keys} subject keys created");
        summary.Add(("disk per record (audit_records total growth / N)", $"{perRecord:0} B (heap row {row:0} B)"));
    }
    Console.WriteLine();

    // ---- 2. Verify.
    if (ingestComplete)
    {
        Step("2. Chain verification (ChainVerifier.VerifyAsync in this process, owner login; run 1 is cold: EF model, JIT, connection)");
        var perTenant = await db.CountPerTenantAsync(tenants, stop);
        var verifierOptions = Options.Create(new AuditOptions
        {
            CheckpointKey = options.CheckpointKey ?? new string('-', 32),
            // Verification never unseals: any 32 characters will do.
            SubjectKeyProtection = new string('-', 32),
            RuntimeRole = new RuntimeRoleOptions(),
        });
        var contextOptions = new DbContextOptionsBuilder<AuditDbContext>().UseNpgsql(db.ConnectionString).Options;
        foreach (var tenant in tenants)
        {
            var best = 0.0;
            for (var run = 1; run <= 3; run++)
            {
                // The verifier reads one tenant's chain, as the /verify endpoint does for its caller.
                var scope = new TenantScope();
                scope.ActFor(tenant);
                await using var context = new AuditDbContext(contextOptions, scope);
                var verifier = new ChainVerifier(context, verifierOptions);
                var result = await verifier.VerifyAsync(tenant, stop);
                var rate = result.RecordsChecked / (result.Milliseconds / 1000);
                if (run > 1)
                {
                    best = Math.Max(best, rate);
                }
                Console.WriteLine($"{tenant} run {run}: {result.RecordsChecked:N0} records checked in {result.Milliseconds:0.0} ms = {rate:0} records/s, " +
                    $"verified: {(result.Verified ? "yes" : "NO - " + result.Problem)}");
                if (!result.Verified)
                {
                    exitCode = 1;
                }
                if (result.RecordsChecked != perTenant.GetValueOrDefault(tenant))
                {
                    Console.WriteLine($"  note: the tenant has {perTenant.GetValueOrDefault(tenant):N0} records, {result.RecordsChecked:N0} were checked");
                }
            }
            summary.Add(($"verification {tenant} ({perTenant.GetValueOrDefault(tenant):N0} records), best warm run", $"{best:0} records/s"));
        }
        summary.Add(("chains verified", exitCode == 0 ? "all" : "NOT ALL - see above"));
        Console.WriteLine();
    }
}
catch (OperationCanceledException) when (stop.IsCancellationRequested)
{
    Console.WriteLine("cancelled");
    exitCode = 130;
}
finally
{
    await bus.StopAsync(CancellationToken.None);
    if (!published)
    {
        // Nothing was sent: nothing to remove.
    }
    else if (options.Keep)
    {
        Console.WriteLine($"## 3. Kept the benchmark tenants (--keep): {string.Join(", ", tenants)}. To remove them, as a superuser:");
        Console.WriteLine(AuditDatabase.DeleteTenantsSql(tenants));
    }
    else
    {
        Step("3. Cleanup");
        if (!ingestComplete)
        {
            Console.WriteLine("warning: not every event was recorded; events still queued will add rows for these tenants after this cleanup. " +
                "Remove them later with:");
            Console.WriteLine(AuditDatabase.DeleteTenantsSql(tenants));
        }
        try
        {
            var clock = Stopwatch.StartNew();
            var (records, chains, keys, checkpoints) = await db.DeleteTenantsAsync(tenants, CancellationToken.None);
            Console.WriteLine($"removed {records:N0} records, {chains} chains, {keys} subject keys and {checkpoints} checkpoints of the benchmark tenants " +
                $"in {clock.Elapsed.TotalSeconds:0.0} s (their inbox rows stay until retention removes them)");
        }
        catch (NpgsqlException exception)
        {
            Console.WriteLine($"cleanup FAILED ({exception.Message}); session_replication_role needs a superuser. Remove the rows as one with:");
            Console.WriteLine(AuditDatabase.DeleteTenantsSql(tenants));
            exitCode = exitCode == 0 ? 1 : exitCode;
        }
    }
    Console.WriteLine();
}

if (summary.Count > 0)
{
    Console.WriteLine("## Summary");
    Console.WriteLine();
    Console.WriteLine("| Measurement | Value |");
    Console.WriteLine("|---|---|");
    foreach (var (measurement, value) in summary)
    {
        Console.WriteLine($"| {measurement} | {value} |");
    }
}
return exitCode;

// A step's heading, with how busy the machine is as it starts (the numbers depend on it).
static void Step(string title)
{
    Console.WriteLine($"## {title}");
    var load = File.Exists("/proc/loadavg") ? string.Join(" / ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "?";
    Console.WriteLine($"(load average {load} over 1/5/15 min on {Environment.ProcessorCount} cores)");
}

// The URI's port, or AMQP's default for its scheme.
static int AmqpPort(Uri uri) => uri.Port > 0 ? uri.Port : uri.Scheme == "amqps" ? 5671 : 5672;

// The vhost as MassTransit reads it from the URI: the path without its leading slash, "/" when empty.
static string VirtualHost(Uri uri) =>
    Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/')) is { Length: > 0 } path ? path : "/";

// Events as the services' APIs write them (AuditTrail.Describe): a user of the tenant changed one of
// its libraries. Tenants take turns, so with T tenants each chain gets N/T records.
static List<AuditEventOccurred> Events(int count, string[] tenants)
{
    var random = new Random(5);
    var users = Enumerable.Range(0, 50).Select(_ => $"user:{Guid.NewGuid()}").ToArray();
    var libraries = Enumerable.Range(0, 200).Select(_ => Guid.NewGuid().ToString()).ToArray();
    var events = new List<AuditEventOccurred>(count);
    for (var i = 0; i < count; i++)
    {
        var library = random.Next(libraries.Length);
        events.Add(new AuditEventOccurred(
            tenants[i % tenants.Length],
            users[random.Next(users.Length)],
            "library.updated",
            "library",
            libraries[library],
            "success",
            $"127.0.0.{random.Next(1, 255)}",
            ActivityTraceId.CreateRandom().ToString(),
            new Dictionary<string, string> { ["name"] = $"library-{library}", ["shared"] = random.Next(2) == 0 ? "true" : "false" },
            DateTimeOffset.UtcNow));
    }
    return events;
}
