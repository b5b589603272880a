using System.Buffers.Binary;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Npgsql;
using NpgsqlTypes;

/// <summary>A library the benchmark owns in the search database.</summary>
internal sealed record BenchmarkLibrary(Guid LibraryId, string Name, string TenantId);

/// <summary>
/// The search service's database, written directly: the benchmark library, its documents and chunks
/// (binary COPY), the HNSW index, sizes, and the embedder's queue.
/// </summary>
internal sealed class SearchDatabase : IAsyncDisposable
{
    public const string VectorIndex = "IX_indexed_chunks_Embedding";
    public const string ModelId = "MiniLM/all-MiniLM-L6-v2";
    public const int Dimensions = 384;
    public const int ChunksPerDocument = 10;

    /// <summary>Exactly as the HybridSearch migration creates it (plus IF NOT EXISTS).</summary>
    private const string CreateVectorIndex =
        $"""CREATE INDEX IF NOT EXISTS "{VectorIndex}" ON indexed_chunks USING hnsw ("Embedding" vector_cosine_ops) WITH (m = 16, ef_construction = 64)""";

    private const string ChunkColumns =
        """("ChunkId", "DocumentId", "TenantId", "LibraryId", "Library", "Version", "Title", "Breadcrumb", "Url", "Ordinal", "Languages", """ +
        """ "Content", "ContentHash", "Revision", "IndexedAt", "EmbeddingModel", "Embedding")""";

    private readonly NpgsqlDataSource _source;

    public SearchDatabase(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString)
        {
            ApplicationName = "DocAIche.SearchBenchmark",
            CommandTimeout = 0, // index builds and deletes of 100,000 rows take minutes
        };
        _source = NpgsqlDataSource.Create(builder);
    }

    public ValueTask DisposeAsync() => _source.DisposeAsync();

    /// <summary>Recreates the HNSW index if an earlier run died between dropping and rebuilding it.</summary>
    public async Task<bool> EnsureVectorIndexAsync(CancellationToken cancellationToken)
    {
        var existed = await ScalarAsync<bool>($"SELECT EXISTS (SELECT 1 FROM pg_indexes WHERE tablename = 'indexed_chunks' AND indexname = '{VectorIndex}')", cancellationToken);
        if (!existed)
        {
            await BuildVectorIndexAsync(cancellationToken);
        }
        return existed;
    }

    public async Task DropVectorIndexAsync(CancellationToken cancellationToken) =>
        await ExecuteAsync($"""DROP INDEX IF EXISTS "{VectorIndex}" """, cancellationToken);

    public async Task BuildVectorIndexAsync(CancellationToken cancellationToken)
    {
        await using var connection = await _source.OpenConnectionAsync(cancellationToken);
        // The whole graph in memory makes the build several times faster; this session only.
        await using (var set = new NpgsqlCommand("SET maintenance_work_mem = '512MB'", connection))
        {
            await set.ExecuteNonQueryAsync(cancellationToken);
        }
        await using var create = new NpgsqlCommand(CreateVectorIndex, connection);
        await create.ExecuteNonQueryAsync(cancellationToken);
    }

    public Task AnalyzeAsync(CancellationToken cancellationToken) => ExecuteAsync("ANALYZE indexed_chunks", cancellationToken);

    public async Task<BenchmarkLibrary> CreateLibraryAsync(string tenant, CancellationToken cancellationToken)
    {
        var library = new BenchmarkLibrary(Guid.CreateVersion7(), BenchmarkOptions.LibraryPrefix + Guid.NewGuid().ToString("N")[..8], tenant);
        await using var command = _source.CreateCommand("""
            INSERT INTO indexed_libraries ("LibraryId", "TenantId", "Name", "Description", "Shared", "DefaultVersion", "Versions", "Deleted", "ChangedAt", "Generation")
            VALUES ($1, $2, $3, 'benchmark corpus', false, '1.0', ARRAY['1.0'], false, now(), 1)
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = library.LibraryId });
        command.Parameters.Add(new NpgsqlParameter { Value = library.TenantId });
        command.Parameters.Add(new NpgsqlParameter { Value = library.Name });
        await command.ExecuteNonQueryAsync(cancellationToken);
        return library;
    }

    /// <summary>The newest benchmark library of the tenant an earlier <c>--keep</c> run left, with its chunk count.</summary>
    public async Task<(BenchmarkLibrary Library, long Chunks)?> FindLibraryAsync(string tenant, CancellationToken cancellationToken)
    {
        await using var command = _source.CreateCommand("""
            SELECT l."LibraryId", l."Name", (SELECT count(*) FROM indexed_chunks c WHERE c."LibraryId" = l."LibraryId")
            FROM indexed_libraries l
            WHERE l."TenantId" = $1 AND l."Name" LIKE 'search-benchmark-%' AND NOT l."Deleted"
            ORDER BY l."ChangedAt" DESC LIMIT 1
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = tenant });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }
        return (new BenchmarkLibrary(reader.GetGuid(0), reader.GetString(1), tenant), reader.GetInt64(2));
    }

    /// <summary>
    /// Makes every cached search over the library unreachable, as an index change in the service does,
    /// and has the service count its term statistics again (as it does after ingestion, at most every
    /// few minutes): the corpus was written behind its back.
    /// </summary>
    public async Task BumpGenerationAsync(BenchmarkLibrary library, CancellationToken cancellationToken)
    {
        await using var command = _source.CreateCommand("""UPDATE indexed_libraries SET "Generation" = "Generation" + 1, "ChangedAt" = now(), "TermsCountedAt" = NULL WHERE "LibraryId" = $1""");
        command.Parameters.Add(new NpgsqlParameter { Value = library.LibraryId });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>
    /// Waits (up to <paramref name="within"/>) until the service has counted the library's term
    /// statistics, as it has in steady state; returns how many distinct words it counted.
    /// </summary>
    public async Task<int?> WaitForTermStatisticsAsync(BenchmarkLibrary library, TimeSpan within, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + within;
        while (DateTime.UtcNow < deadline)
        {
            await using var command = _source.CreateCommand(
                """
                SELECT (SELECT count(*) FROM indexed_terms AS t WHERE t."LibraryId" = l."LibraryId")::int
                FROM indexed_libraries AS l WHERE l."LibraryId" = $1 AND l."TermsGeneration" = l."Generation" AND l."TermsCountedAt" IS NOT NULL
                """);
            command.Parameters.Add(new NpgsqlParameter { Value = library.LibraryId });
            if (await command.ExecuteScalarAsync(cancellationToken) is int common)
            {
                return common;
            }
            await Task.Delay(1000, cancellationToken);
        }
        return null;
    }

    /// <summary>
    /// Documents and chunks for the library with binary COPY, <paramref name="vectors"/> giving each
    /// chunk's vector (null: the chunk waits for the service's embedder). Calls <paramref name="progress"/>
    /// after every 10,000 chunks.
    /// </summary>
    public async Task SeedAsync(
        BenchmarkLibrary library, int chunks, Corpus corpus, int seed, Func<Random, float[]>? vectors, Action<int>? progress,
        CancellationToken cancellationToken)
    {
        var random = new Random(seed);
        var documents = (chunks + ChunksPerDocument - 1) / ChunksPerDocument;
        var documentIds = Enumerable.Range(0, documents).Select(_ => Guid.CreateVersion7()).ToArray();
        var now = DateTime.UtcNow;

        await using var connection = await _source.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var writer = await connection.BeginBinaryImportAsync(
            """COPY indexed_documents ("DocumentId", "TenantId", "LibraryId", "Revision", "Removed") FROM STDIN (FORMAT BINARY)""", cancellationToken))
        {
            foreach (var id in documentIds)
            {
                await writer.StartRowAsync(cancellationToken);
                await writer.WriteAsync(id, NpgsqlDbType.Uuid, cancellationToken);
                await writer.WriteAsync(library.TenantId, NpgsqlDbType.Varchar, cancellationToken);
                await writer.WriteAsync(library.LibraryId, NpgsqlDbType.Uuid, cancellationToken);
                await writer.WriteAsync(1, NpgsqlDbType.Integer, cancellationToken);
                await writer.WriteAsync(false, NpgsqlDbType.Boolean, cancellationToken);
            }
            await writer.CompleteAsync(cancellationToken);
        }

        await using (var writer = await connection.BeginBinaryImportAsync(
            $"COPY indexed_chunks {ChunkColumns} FROM STDIN (FORMAT BINARY)", cancellationToken))
        {
            var vectorBytes = new byte[4 + Dimensions * 4];
            string[] languages = ["python"];
            string title = "", slug = "";
            for (var i = 0; i < chunks; i++)
            {
                var ordinal = i % ChunksPerDocument;
                if (ordinal == 0)
                {
                    title = corpus.Title(random);
                    slug = Slug(title);
                }
                var section = corpus.Section(random);
                var content = corpus.Chunk(random, section);
                await writer.StartRowAsync(cancellationToken);
                await writer.WriteAsync(Guid.CreateVersion7(), NpgsqlDbType.Uuid, cancellationToken);
                await writer.WriteAsync(documentIds[i / ChunksPerDocument], NpgsqlDbType.Uuid, cancellationToken);
                await writer.WriteAsync(library.TenantId, NpgsqlDbType.Varchar, cancellationToken);
                await writer.WriteAsync(library.LibraryId, NpgsqlDbType.Uuid, cancellationToken);
                await writer.WriteAsync(library.Name, NpgsqlDbType.Varchar, cancellationToken);
                await writer.WriteAsync("1.0", NpgsqlDbType.Varchar, cancellationToken);
                await writer.WriteAsync(title, NpgsqlDbType.Varchar, cancellationToken);
                await writer.WriteAsync($"{title} > {section}", NpgsqlDbType.Varchar, cancellationToken);
                await writer.WriteAsync($"https://docs.benchmark.invalid/{slug}-{i / ChunksPerDocument}#{Slug(section)}", NpgsqlDbType.Varchar, cancellationToken);
                await writer.WriteAsync(ordinal, NpgsqlDbType.Integer, cancellationToken);
                await writer.WriteAsync(languages, NpgsqlDbType.Array | NpgsqlDbType.Text, cancellationToken);
                await writer.WriteAsync(content, NpgsqlDbType.Text, cancellationToken);
                await writer.WriteAsync(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(content))), NpgsqlDbType.Char, cancellationToken);
                await writer.WriteAsync(1, NpgsqlDbType.Integer, cancellationToken);
                await writer.WriteAsync(now, NpgsqlDbType.TimestampTz, cancellationToken);
                if (vectors is null)
                {
                    await writer.WriteNullAsync(cancellationToken);
                    await writer.WriteNullAsync(cancellationToken);
                }
                else
                {
                    await writer.WriteAsync(ModelId, NpgsqlDbType.Varchar, cancellationToken);
                    // Npgsql has no pgvector type without the Pgvector plugin, but binary COPY hands each
                    // field's bytes to the column type's receive function: so the vector goes in vector_recv's
                    // format (int16 dimensions, int16 unused, float4s, all big-endian), written as raw bytes.
                    WriteVector(vectorBytes, vectors(random));
                    await writer.WriteAsync(vectorBytes, NpgsqlDbType.Bytea, cancellationToken);
                }
                if ((i + 1) % 10_000 == 0)
                {
                    progress?.Invoke(i + 1);
                }
            }
            await writer.CompleteAsync(cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
    }

    private static void WriteVector(byte[] buffer, float[] vector)
    {
        BinaryPrimitives.WriteInt16BigEndian(buffer, Dimensions);
        BinaryPrimitives.WriteInt16BigEndian(buffer.AsSpan(2), 0);
        for (var d = 0; d < Dimensions; d++)
        {
            BinaryPrimitives.WriteSingleBigEndian(buffer.AsSpan(4 + d * 4), vector[d]);
        }
    }

    private static string Slug(string text) =>
        string.Concat(text.ToLowerInvariant().Select(c => char.IsLetterOrDigit(c) ? c : '-')).Trim('-');

    /// <summary>Chunks of the library still waiting for a vector.</summary>
    public async Task<long> WaitingAsync(BenchmarkLibrary library, CancellationToken cancellationToken)
    {
        await using var command = _source.CreateCommand("""SELECT count(*) FROM indexed_chunks WHERE "EmbeddingModel" IS NULL AND "LibraryId" = $1""");
        command.Parameters.Add(new NpgsqlParameter { Value = library.LibraryId });
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>Chunks of every library waiting for a vector: the running embedder's backlog.</summary>
    public Task<long> BacklogAsync(CancellationToken cancellationToken) =>
        ScalarAsync<long>("""SELECT count(*) FROM indexed_chunks WHERE "EmbeddingModel" IS NULL""", cancellationToken);

    /// <summary>
    /// The sum of the index generations of every library the tenant sees: the service's cache keys hold
    /// their fingerprint, so whenever this moves every cached search of the tenant becomes unreachable.
    /// </summary>
    public async Task<long> TenantGenerationsAsync(string tenant, CancellationToken cancellationToken)
    {
        await using var command = _source.CreateCommand("""
            SELECT coalesce(sum("Generation"), 0)::bigint + count(*) FROM indexed_libraries WHERE ("TenantId" = $1 OR "Shared") AND NOT "Deleted"
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = tenant });
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    public sealed record IndexSize(string Name, string Method, long Bytes);

    public sealed record Sizes(long Rows, long WithVector, long Total, long Table, long Toast, long Indexes, IReadOnlyList<IndexSize> Each);

    public async Task<Sizes> SizesAsync(CancellationToken cancellationToken)
    {
        var rows = await ScalarAsync<long>("SELECT count(*) FROM indexed_chunks", cancellationToken);
        var withVector = await ScalarAsync<long>("""SELECT count(*) FROM indexed_chunks WHERE "Embedding" IS NOT NULL""", cancellationToken);
        await using var connection = await _source.OpenConnectionAsync(cancellationToken);
        long total, table, tableWithToast, indexes;
        await using (var command = new NpgsqlCommand("""
            SELECT pg_total_relation_size('indexed_chunks'), pg_relation_size('indexed_chunks'),
                   pg_table_size('indexed_chunks'), pg_indexes_size('indexed_chunks')
            """, connection))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            await reader.ReadAsync(cancellationToken);
            (total, table, tableWithToast, indexes) = (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3));
        }
        var each = new List<IndexSize>();
        await using (var command = new NpgsqlCommand("""
            SELECT indexname, substring(indexdef FROM 'USING (\w+)'), pg_relation_size(format('%I.%I', schemaname, indexname)::regclass)
            FROM pg_indexes WHERE tablename = 'indexed_chunks' ORDER BY 3 DESC
            """, connection))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                each.Add(new IndexSize(reader.GetString(0), reader.GetString(1), reader.GetInt64(2)));
            }
        }
        return new Sizes(rows, withVector, total, table, tableWithToast - table, indexes, each);
    }

    /// <summary>The library's chunks, documents and row; returns chunks deleted.</summary>
    public async Task<long> DeleteLibraryAsync(Guid libraryId, CancellationToken cancellationToken)
    {
        await using var connection = await _source.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        long deleted = 0;
        foreach (var sql in new[]
                 {
                     """DELETE FROM indexed_chunks WHERE "LibraryId" = $1""",
                     """DELETE FROM indexed_documents WHERE "LibraryId" = $1""",
                     """DELETE FROM indexed_libraries WHERE "LibraryId" = $1""",
                 })
        {
            await using var command = new NpgsqlCommand(sql, connection, transaction);
            command.Parameters.Add(new NpgsqlParameter { Value = libraryId });
            var rows = await command.ExecuteNonQueryAsync(cancellationToken);
            deleted = deleted == 0 ? rows : deleted;
        }
        await transaction.CommitAsync(cancellationToken);
        return deleted;
    }

    /// <summary>Every library named search-benchmark-* (any tenant), with its rows.</summary>
    public async Task<List<(Guid Id, string Name)>> AllBenchmarkLibrariesAsync(CancellationToken cancellationToken)
    {
        var found = new List<(Guid, string)>();
        await using var command = _source.CreateCommand("""SELECT "LibraryId", "Name" FROM indexed_libraries WHERE "Name" LIKE 'search-benchmark-%'""");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            found.Add((reader.GetGuid(0), reader.GetString(1)));
        }
        return found;
    }

    public static async Task<TimeSpan> TimeAsync(Func<Task> action)
    {
        var clock = Stopwatch.StartNew();
        await action();
        return clock.Elapsed;
    }

    private async Task ExecuteAsync(string sql, CancellationToken cancellationToken)
    {
        await using var command = _source.CreateCommand(sql);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private async Task<T> ScalarAsync<T>(string sql, CancellationToken cancellationToken)
    {
        await using var command = _source.CreateCommand(sql);
        return (T)(await command.ExecuteScalarAsync(cancellationToken))!;
    }
}
