namespace DocAIche.WebSocket.LiveUpdates;

/// <summary>
/// The last events this instance published, bounded by count and age, so that a client that
/// reconnects with the last event id it saw gets what it missed. Not thread-safe: the caller holds
/// the publish lock.
/// </summary>
public sealed class ReplayBuffer(int capacity, TimeSpan maxAge)
{
    private readonly LinkedList<PublishedEvent> events = new();
    private readonly Dictionary<string, LinkedListNode<PublishedEvent>> byId = new(StringComparer.Ordinal);

    public int Count => events.Count;

    /// <summary>
    /// Keeps <paramref name="published"/> for replay. False when an event with its id is already held:
    /// the bus delivers at least once (an outbox re-publication, a redelivery), so the same event can
    /// arrive again, and its clients must not receive it twice. With no replay kept every event is new.
    /// </summary>
    public bool Add(PublishedEvent published)
    {
        if (capacity == 0)
        {
            return true;
        }
        if (byId.ContainsKey(published.Id))
        {
            return false;
        }
        byId[published.Id] = events.AddLast(published);
        while (events.Count > capacity || (events.First is { } first && published.At - first.Value.At > maxAge))
        {
            byId.Remove(events.First!.Value.Id);
            events.RemoveFirst();
        }
        return true;
    }

    /// <summary>The tenant's events after <paramref name="lastEventId"/> that <paramref name="wanted"/> accepts; null when that id is no longer (or never was) held.</summary>
    public List<PublishedEvent>? After(string lastEventId, string tenantId, Func<PublishedEvent, bool> wanted)
    {
        if (!byId.TryGetValue(lastEventId, out var node))
        {
            return null;
        }
        var missed = new List<PublishedEvent>();
        for (var next = node.Next; next is not null; next = next.Next)
        {
            if (next.Value.TenantId == tenantId && wanted(next.Value))
            {
                missed.Add(next.Value);
            }
        }
        return missed;
    }
}
