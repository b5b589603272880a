namespace DocAIche.Search.Embeddings;

/// <summary>Wakes the embedder when chunks arrive, so it need not wait for its next poll.</summary>
public sealed class EmbeddingSignal : IDisposable
{
    private readonly SemaphoreSlim _signal = new(0, 1);

    public void Signal()
    {
        if (_signal.CurrentCount == 0)
        {
            try
            {
                _signal.Release();
            }
            catch (SemaphoreFullException)
            {
                // Already signalled.
            }
        }
    }

    public void Dispose() => _signal.Dispose();

    public Task WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) => _signal.WaitAsync(timeout, cancellationToken);
}
