using DocAIche.ServiceDefaults.Data;

namespace DocAIche.Documents.Model;

/// <summary>What a tenant stored on a day (the last count of that day): documents, chunks and the Markdown's bytes.</summary>
public sealed class StorageUsage : ITenantOwned
{
    public required string TenantId { get; set; }

    public DateOnly Day { get; set; }

    public long Documents { get; set; }

    public long Chunks { get; set; }

    public long Bytes { get; set; }

    public DateTimeOffset CountedAt { get; set; }
}
