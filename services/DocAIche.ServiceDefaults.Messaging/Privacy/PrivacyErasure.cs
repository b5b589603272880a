using System.Text.Json;
using DocAIche.ServiceDefaults.Messaging;
using Microsoft.EntityFrameworkCore;

namespace DocAIche.ServiceDefaults.Privacy;

/// <summary>Erasure steps every service's database shares.</summary>
public static class PrivacyErasure
{
    /// <summary>The name left where an erased subject's id was.</summary>
    public const string ErasedSubject = "erased";

    /// <summary>The id inside a subject (<c>user:{id}</c> → <c>{id}</c>).</summary>
    public static string IdOf(string subject) => subject[(subject.IndexOf(':', StringComparison.Ordinal) + 1)..];

    /// <summary>How a subject can appear in stored text: as <c>user:{id}</c> and as the id alone.</summary>
    public static string[] IdentifiersOf(string subject) => [subject, IdOf(subject)];

    /// <summary>
    /// Deletes already-published outbox messages of <paramref name="tenantId"/> that mention any of
    /// <paramref name="identifiers"/>: they were kept only for the outbox's retention, and they carry
    /// the subject's ids and data. Every integration event names its tenant (<c>"tenantId"</c>), so
    /// another tenant's messages are never touched. Unsent messages stay: they are on their way to a
    /// service that erases on the same request.
    /// </summary>
    public static async Task<int> DeleteSentEventsAboutAsync(this DbContext db, string tenantId, IEnumerable<string> identifiers, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(tenantId);
        var tenant = $"\"tenantId\":{JsonSerializer.Serialize(tenantId, IntegrationEventModel.JsonOptions)}";
        var deleted = 0;
        foreach (var needle in identifiers.Where(i => !string.IsNullOrEmpty(i)).Distinct(StringComparer.Ordinal))
        {
            deleted += await db.Set<OutboxMessage>()
                .Where(m => m.SentAt != null && m.Body.Contains(tenant) && m.Body.Contains(needle))
                .ExecuteDeleteAsync(cancellationToken);
        }
        return deleted;
    }
}
