using System.ComponentModel.DataAnnotations;

namespace DocAIche.Search.Embeddings;

/// <summary>Which model turns chunks and queries into vectors (section <c>Embeddings</c>).</summary>
public sealed class EmbeddingOptions : IValidatableObject
{
    public const string Section = "Embeddings";

    /// <summary>The index's vector size: both local models produce it, and remote models are asked for it.</summary>
    public const int Dimensions = 384;

    /// <summary>
    /// <c>MiniLM</c> (all-MiniLM-L6-v2, the default) or <c>ArcticXs</c> (Snowflake arctic-embed-xs): both run
    /// in-process from a model shipped inside their package, with no network and no key. <c>OpenAI</c>: any
    /// OpenAI-compatible <c>/v1/embeddings</c> endpoint (OpenAI, Azure, Ollama, vLLM...) at <see cref="Endpoint"/>.
    /// </summary>
    public EmbeddingProvider Provider { get; set; } = EmbeddingProvider.MiniLM;

    /// <summary>The remote endpoint's base address, for example <c>http://ollama:11434/v1</c>.</summary>
    public Uri? Endpoint { get; set; }

    /// <summary>The remote model's name; it must be able to return <see cref="Dimensions"/>-dimensional vectors.</summary>
    public string? Model { get; set; }

    /// <summary>The remote endpoint's key (from a secret store or environment, never the repository).</summary>
    public string? ApiKey { get; set; }

    /// <summary>What a query is prefixed with before it is embedded; null takes the model's own (Arctic needs one).</summary>
    public string? QueryPrefix { get; set; }

    /// <summary>Chunks the embedder claims and stores per transaction (a remote model gets them in one call).</summary>
    [Range(1, 256)]
    public int BatchSize { get; set; } = 16;

    /// <summary>
    /// Texts a local model runs at once. Its working memory grows with the batch and the longest text in
    /// it, its speed does not: on real documentation (2 cores) batches of 4 ran 13.9 chunks/s with a
    /// 475 MB peak, batches of 16 13.2 chunks/s with 689 MB.
    /// </summary>
    [Range(1, 64)]
    public int LocalBatchSize { get; set; } = 4;

    /// <summary>Threads one local inference may use; the packages default to one, which halves throughput.</summary>
    [Range(1, 64)]
    public int Threads { get; set; } = Environment.ProcessorCount;

    /// <summary>The longest text embedded: the local models read about 256 word pieces, so more is wasted work.</summary>
    [Range(100, 32_000)]
    public int MaxCharacters { get; set; } = 1000;

    /// <summary>How long the embedder sleeps when nothing waits (a new document wakes it sooner).</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(2);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Provider == EmbeddingProvider.OpenAI)
        {
            if (Endpoint is null || !Endpoint.IsAbsoluteUri)
            {
                yield return new ValidationResult("Embeddings:Endpoint is required (an absolute URL) for the OpenAI provider.", [nameof(Endpoint)]);
            }
            if (string.IsNullOrWhiteSpace(Model))
            {
                yield return new ValidationResult("Embeddings:Model is required for the OpenAI provider.", [nameof(Model)]);
            }
        }
    }
}

public enum EmbeddingProvider
{
    MiniLM,
    ArcticXs,
    OpenAI,
}
