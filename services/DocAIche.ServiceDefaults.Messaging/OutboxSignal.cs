using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace DocAIche.ServiceDefaults.Messaging;

/// <summary>
/// Wakes the outbox dispatcher as soon as a transaction with new events commits, so events leave
/// within milliseconds instead of at the next poll. Polling stays as the fallback.
/// </summary>
public sealed class OutboxSignal : SaveChangesInterceptor, IDisposable
{
    private readonly SemaphoreSlim _pending = new(0, 1);

    public void Notify()
    {
        // At most one pending wake-up: the dispatcher drains everything each time it runs.
        if (_pending.CurrentCount == 0)
        {
            try { _pending.Release(); } catch (SemaphoreFullException) { }
        }
    }

    public void Dispose() => _pending.Dispose();

    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) =>
        _pending.WaitAsync(timeout, cancellationToken);

    public override ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        NotifyIfPending(eventData.Context);
        return ValueTask.FromResult(result);
    }

    public override int SavedChanges(SaveChangesCompletedEventData eventData, int result)
    {
        NotifyIfPending(eventData.Context);
        return result;
    }

    private void NotifyIfPending(DbContext? context)
    {
        if (context is not null && context.ChangeTracker.Entries<OutboxMessage>().Any(e => e.Entity.SentAt is null))
        {
            Notify();
        }
    }
}
