namespace DocAIche.Contracts.Audit;

/// <summary>A tenant's retention changed (or a purge was asked for now); services that keep history purge by it.</summary>
/// <param name="TenantId">The tenant.</param>
/// <param name="AuditRecordDays">Days audit records are kept.</param>
/// <param name="QueryHistoryDays">Days search query history and feedback are kept.</param>
/// <param name="PurgeNow">Whether services should purge at once rather than on their next round.</param>
/// <param name="ChangedAt">When.</param>
public sealed record RetentionPolicyChanged(
    string TenantId,
    int AuditRecordDays,
    int QueryHistoryDays,
    bool PurgeNow,
    DateTimeOffset ChangedAt);
