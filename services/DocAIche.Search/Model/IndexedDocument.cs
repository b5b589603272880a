using NpgsqlTypes;

namespace DocAIche.Search.Model;

/// <summary>A document as the search index holds it: a copy fed by <c>DocumentStored</c> events.</summary>
public sealed class IndexedDocument
{
    public Guid DocumentId { get; set; }

    public required string TenantId { get; set; }

    public required string Title { get; set; }

    public required string Content { get; set; }

    public string? SourceUrl { get; set; }

    public required string ContentHash { get; set; }

    /// <summary>When the documents service committed the version held here; older events never overwrite newer ones.</summary>
    public DateTimeOffset StoredAt { get; set; }

    public DateTimeOffset IndexedAt { get; set; }

    /// <summary>Full-text vector of title (weight A) and content (weight B), computed by PostgreSQL.</summary>
    public NpgsqlTsVector SearchVector { get; set; } = null!;
}
