using Microsoft.Extensions.AI;
using SessionOptions = Microsoft.ML.OnnxRuntime.SessionOptions;

namespace DocAIche.Search.Embeddings;

/// <summary>
/// An in-process embedding generator over a SentenceTransformers ONNX model that ships inside its
/// package: no network, no key. The model loads on first use (a second or two, a few hundred MB).
/// </summary>
public sealed class LocalSentenceEmbeddingGenerator : IEmbeddingGenerator<string, Embedding<float>>
{
    private readonly Lazy<OnnxSentenceEncoder> _encoder;
    private readonly EmbeddingGeneratorMetadata _metadata;
    private readonly int _slice;
    private readonly int _threads;

    /// <summary>
    /// One session whose inferences each run on one thread: a query (one text, waited for) takes one
    /// core and leaves the other to the database; a batch is cut into slices of <paramref name="batch"/>
    /// texts that run side by side on up to <paramref name="threads"/> cores, which on small models is
    /// at least as fast as spreading one inference over them.
    /// </summary>
    public LocalSentenceEmbeddingGenerator(EmbeddingProvider provider, int threads, int batch)
    {
        _slice = Math.Max(1, batch);
        _threads = Math.Max(1, threads);
        var model = provider switch
        {
            EmbeddingProvider.MiniLM => "all-MiniLM-L6-v2",
            EmbeddingProvider.ArcticXs => "snowflake-arctic-embed-xs",
            _ => throw new ArgumentOutOfRangeException(nameof(provider), provider, "Not a local model."),
        };
        _metadata = new EmbeddingGeneratorMetadata("local", null, model, EmbeddingOptions.Dimensions);
        _encoder = new Lazy<OnnxSentenceEncoder>(() =>
        {
            using var session = Session();
            return new OnnxSentenceEncoder(provider, session);
        }, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    private static SessionOptions Session()
    {
        // ONNX Runtime's arena stays: without it every operator's buffers come from malloc, which cost 40 %
        // of the embedding rate on real documentation (13.4 against 7.9 chunks/s) and freed no memory
        // (glibc kept it); batches give its unused blocks back instead. Memory patterns plan buffers for
        // one input shape; texts vary, so they only add.
        var session = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1, EnableMemoryPattern = false };
        // ONNX Runtime's workers spin after each run by default: on a small machine that burns the CPU
        // PostgreSQL needs for the same search (measured: 18 ms of CPU per query with it, 5 without).
        session.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
        session.AddSessionConfigEntry("session.inter_op.allow_spinning", "0");
        return session;
    }

    public async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(
        IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        var texts = values.ToArray();
        // Inference is CPU-bound and synchronous: keep it off the caller's thread. A few texts at a time:
        // the model's working memory grows with the slice and its longest text, its speed does not.
        var slices = texts.Chunk(_slice).ToArray();
        var vectors = new float[slices.Length][][];
        var batch = texts.Length > 1;
        await Task.Run(() => Parallel.For(0, slices.Length, new ParallelOptions { MaxDegreeOfParallelism = _threads, CancellationToken = cancellationToken },
            i => vectors[i] = _encoder.Value.Encode(slices[i], releaseMemory: batch, cancellationToken)), cancellationToken);
        var now = DateTimeOffset.UtcNow;
        return [.. vectors.SelectMany(v => v).Select(v => new Embedding<float>(v) { ModelId = _metadata.DefaultModelId, CreatedAt = now })];
    }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is null && serviceType == typeof(EmbeddingGeneratorMetadata) ? _metadata
        : serviceKey is null && serviceType.IsInstanceOfType(this) ? this
        : null;

    public void Dispose()
    {
        if (_encoder.IsValueCreated)
        {
            _encoder.Value.Dispose();
        }
    }
}
