using DocAIche.ServiceDefaults.Data;
namespace DocAIche.Audit.Model;

/// <summary>How long a tenant keeps audit records and search query history.</summary>
public sealed class RetentionPolicy : ITenantOwned
{
    public required string TenantId { get; set; }

    public int AuditRecordDays { get; set; }

    public int QueryHistoryDays { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }
}
