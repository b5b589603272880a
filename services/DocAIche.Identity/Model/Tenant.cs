using DocAIche.ServiceDefaults.Quotas;

namespace DocAIche.Identity.Model;

/// <summary>An organisation whose users, documents and audit trail are kept apart from every other's.</summary>
public sealed class Tenant
{
    /// <summary>Stable id used in tokens and in every other service's data.</summary>
    public required string Id { get; set; }

    public required string Name { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>Every local account of the tenant signs in with a password and an authenticator code (federated people: their provider decides).</summary>
    public bool MfaRequired { get; set; }

    /// <summary>What an operator lets the tenant hold and do (null: no limit); see <see cref="TenantQuotas"/>.</summary>
    public long? LibraryQuota { get; set; }

    public long? DocumentQuota { get; set; }

    public long? StorageQuotaBytes { get; set; }

    public long? SearchesPerDayQuota { get; set; }

    public long? LiveConnectionQuota { get; set; }

    public TenantQuotas Quotas() => new(LibraryQuota, DocumentQuota, StorageQuotaBytes, SearchesPerDayQuota, LiveConnectionQuota);

    public void SetQuotas(TenantQuotas quotas)
    {
        LibraryQuota = quotas.Libraries;
        DocumentQuota = quotas.Documents;
        StorageQuotaBytes = quotas.StorageBytes;
        SearchesPerDayQuota = quotas.SearchesPerDay;
        LiveConnectionQuota = quotas.LiveConnections;
    }
}
