namespace DocAIche.Contracts.Privacy;

/// <summary>The services that hold personal data and answer privacy requests.</summary>
public static class PrivacyParticipants
{
    /// <summary>Profile, roles, API keys and clients.</summary>
    public const string Identity = "identity";

    /// <summary>Libraries, sources and ingestion jobs the subject created or started.</summary>
    public const string Documents = "documents";

    /// <summary>Feedback and query history.</summary>
    public const string Search = "search";

    /// <summary>Audit records about the subject.</summary>
    public const string Audit = "audit";

    /// <summary>Every participant: a request completes when all have answered.</summary>
    public static readonly IReadOnlyList<string> All = [Identity, Documents, Search, Audit];
}

/// <summary>Every service is asked for what it holds about a data subject.</summary>
/// <param name="RequestId">The privacy request.</param>
/// <param name="TenantId">The subject's tenant.</param>
/// <param name="SubjectId">The subject, as tokens name it (<c>user:{id}</c>).</param>
/// <param name="RequestedAt">When.</param>
public sealed record PrivacyExportRequested(Guid RequestId, string TenantId, string SubjectId, DateTimeOffset RequestedAt);

/// <summary>One service's part of an export: what it holds about the subject, as a JSON document.</summary>
/// <param name="RequestId">The privacy request.</param>
/// <param name="TenantId">The subject's tenant.</param>
/// <param name="SubjectId">Whose data: an erasure of this subject also purges this message wherever it is kept.</param>
/// <param name="Service">Which service (see <see cref="PrivacyParticipants"/>).</param>
/// <param name="Data">Its data about the subject, a JSON object.</param>
/// <param name="At">When.</param>
public sealed record PrivacyExportContributed(Guid RequestId, string TenantId, string SubjectId, string Service, string Data, DateTimeOffset At);

/// <summary>Every service is asked to delete or anonymise a data subject's personal data.</summary>
/// <param name="RequestId">The privacy request.</param>
/// <param name="TenantId">The subject's tenant.</param>
/// <param name="SubjectId">The subject, as tokens name it (<c>user:{id}</c>).</param>
/// <param name="RequestedAt">When.</param>
public sealed record PrivacyErasureRequested(Guid RequestId, string TenantId, string SubjectId, DateTimeOffset RequestedAt);

/// <summary>A service erased what it held about the subject.</summary>
/// <param name="RequestId">The privacy request.</param>
/// <param name="TenantId">The subject's tenant.</param>
/// <param name="Service">Which service.</param>
/// <param name="Erased">What it erased, counted by kind (no personal data).</param>
/// <param name="RelatedSubjects">Other actor ids that belonged to the subject (their API keys), whose audit keys go too.</param>
/// <param name="At">When.</param>
public sealed record PrivacyErasureConfirmed(
    Guid RequestId, string TenantId, string Service, IReadOnlyDictionary<string, int> Erased, IReadOnlyList<string> RelatedSubjects, DateTimeOffset At);
