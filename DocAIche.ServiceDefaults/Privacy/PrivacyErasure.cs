using DocAIche.ServiceDefaults.Messaging;
using Microsoft.EntityFrameworkCore;

namespace DocAIche.ServiceDefaults.Privacy;

/// <summary>Erasure steps every service's database shares.</summary>
public static class PrivacyErasure
{
    /// <summary>The name left where an erased subject's id was.</summary>
    public const string ErasedSubject = "erased";

    /// <summary>
    /// Deletes already-published outbox messages that mention any of <paramref name="identifiers"/>:
    /// they were kept only for the outbox's retention, and they carry the subject's ids and data.
    /// Unsent messages stay: they are on their way to a service that erases on the same request.
    /// </summary>
    public static async Task<int> DeleteSentEventsAboutAsync(this DbContext db, IEnumerable<string> identifiers, CancellationToken cancellationToken)
    {
        var deleted = 0;
        foreach (var needle in identifiers.Where(i => !string.IsNullOrEmpty(i)).Distinct(StringComparer.Ordinal))
        {
            deleted += await db.Set<OutboxMessage>()
                .Where(m => m.SentAt != null && m.Body.Contains(needle))
                .ExecuteDeleteAsync(cancellationToken);
        }
        return deleted;
    }
}
