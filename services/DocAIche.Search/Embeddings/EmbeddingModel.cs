using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;

namespace DocAIche.Search.Embeddings;

/// <summary>
/// The configured embedding generator as search uses it: passages and queries (queries get the
/// model's prefix), texts cut to what the model reads, and one name per model that the index records
/// next to every vector.
/// </summary>
public sealed class EmbeddingModel(IEmbeddingGenerator<string, Embedding<float>> generator, IOptions<EmbeddingOptions> options)
{
    private const string ArcticQueryPrefix = "Represent this sentence for searching relevant passages: ";

    private readonly EmbeddingOptions _options = options.Value;

    /// <summary>Provider and model, for example <c>MiniLM/all-MiniLM-L6-v2</c>: a change of it re-embeds the index.</summary>
    public string Id { get; } = $"{options.Value.Provider}/{generator.GetService<EmbeddingGeneratorMetadata>()?.DefaultModelId ?? options.Value.Model}";

    public string QueryPrefix => _options.QueryPrefix ?? (_options.Provider == EmbeddingProvider.ArcticXs ? ArcticQueryPrefix : "");

    public int BatchSize => _options.BatchSize;

    public async Task<float[]> EmbedQueryAsync(string query, CancellationToken cancellationToken)
    {
        var vectors = await EmbedAsync([QueryPrefix + Cut(query)], cancellationToken);
        return vectors[0];
    }

    /// <summary>A chunk's text as it is embedded: where it sits (title and headings), then what it says.</summary>
    public static string PassageText(string breadcrumb, string content) => $"{breadcrumb}\n{content}";

    public Task<float[][]> EmbedPassagesAsync(IReadOnlyList<string> passages, CancellationToken cancellationToken) =>
        EmbedAsync([.. passages.Select(Cut)], cancellationToken);

    private async Task<float[][]> EmbedAsync(IReadOnlyList<string> texts, CancellationToken cancellationToken)
    {
        var generated = await generator.GenerateAsync(texts, new EmbeddingGenerationOptions { Dimensions = EmbeddingOptions.Dimensions }, cancellationToken);
        if (generated.Count != texts.Count)
        {
            throw new InvalidOperationException($"The embedding model returned {generated.Count} vectors for {texts.Count} texts.");
        }
        var vectors = new float[generated.Count][];
        for (var i = 0; i < generated.Count; i++)
        {
            var vector = generated[i].Vector;
            if (vector.Length != EmbeddingOptions.Dimensions)
            {
                throw new InvalidOperationException($"The embedding model returned {vector.Length} dimensions; the index holds {EmbeddingOptions.Dimensions}.");
            }
            vectors[i] = vector.ToArray();
        }
        return vectors;
    }

    private string Cut(string text) => text.Length <= _options.MaxCharacters ? text : text[.._options.MaxCharacters];
}
