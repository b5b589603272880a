using DocAIche.Search.Embeddings;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;

namespace DocAIche.UnitTests.Search;

public class EmbeddingModelTests
{
    /// <summary>Returns vectors of a chosen size and remembers the texts it was given.</summary>
    private sealed class RecordingGenerator(int dimensions) : IEmbeddingGenerator<string, Embedding<float>>
    {
        public List<string> Texts { get; } = [];

        public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
        {
            var texts = values.ToList();
            Texts.AddRange(texts);
            return Task.FromResult(new GeneratedEmbeddings<Embedding<float>>(texts.Select(_ => new Embedding<float>(new float[dimensions]))));
        }

        public object? GetService(Type serviceType, object? serviceKey = null) =>
            serviceType == typeof(EmbeddingGeneratorMetadata) ? new EmbeddingGeneratorMetadata("test", null, "test-model", dimensions) : null;

        public void Dispose()
        {
        }
    }

    private static EmbeddingModel Model(RecordingGenerator generator, EmbeddingProvider provider, int maxCharacters = 1000) =>
        new(generator, Options.Create(new EmbeddingOptions { Provider = provider, MaxCharacters = maxCharacters }));

    [Fact]
    public async Task Arctic_queries_get_their_prefix_and_passages_do_not()
    {
        var generator = new RecordingGenerator(EmbeddingOptions.Dimensions);
        var model = Model(generator, EmbeddingProvider.ArcticXs);

        await model.EmbedQueryAsync("retry policy", CancellationToken.None);
        await model.EmbedPassagesAsync(["Retries > Usage\nSet the policy."], CancellationToken.None);

        Assert.Equal("Represent this sentence for searching relevant passages: retry policy", generator.Texts[0]);
        Assert.Equal("Retries > Usage\nSet the policy.", generator.Texts[1]);
        Assert.Equal("ArcticXs/test-model", model.Id);
    }

    [Fact]
    public async Task MiniLM_queries_go_as_typed_and_long_texts_are_cut_to_what_the_model_reads()
    {
        var generator = new RecordingGenerator(EmbeddingOptions.Dimensions);
        var model = Model(generator, EmbeddingProvider.MiniLM, maxCharacters: 100);

        await model.EmbedQueryAsync("retry policy", CancellationToken.None);
        await model.EmbedPassagesAsync([new string('x', 500)], CancellationToken.None);

        Assert.Equal("retry policy", generator.Texts[0]);
        Assert.Equal(100, generator.Texts[1].Length);
    }

    [Fact]
    public async Task A_model_of_another_size_is_refused_rather_than_stored()
    {
        var model = Model(new RecordingGenerator(1536), EmbeddingProvider.OpenAI);

        await Assert.ThrowsAsync<InvalidOperationException>(() => model.EmbedQueryAsync("q", CancellationToken.None));
    }

    [Fact]
    public void A_remote_provider_needs_its_endpoint_and_model()
    {
        var errors = new EmbeddingOptions { Provider = EmbeddingProvider.OpenAI }.Validate(new System.ComponentModel.DataAnnotations.ValidationContext(new object())).ToList();

        Assert.Equal(2, errors.Count);
    }
}
