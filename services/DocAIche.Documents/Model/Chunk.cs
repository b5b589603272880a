using DocAIche.ServiceDefaults.Data;
namespace DocAIche.Documents.Model;

/// <summary>A piece of one section of a document, sized for retrieval.</summary>
public sealed class Chunk : ITenantOwned
{
    public Guid Id { get; set; }

    public Guid DocumentId { get; set; }

    public required string TenantId { get; set; }

    public int Ordinal { get; set; }

    /// <summary>Page title &gt; section &gt; subsection.</summary>
    public required string Breadcrumb { get; set; }

    /// <summary>The document's URL with the section's anchor.</summary>
    public string? Url { get; set; }

    public List<string> Languages { get; set; } = [];

    public required string Content { get; set; }

    public required string ContentHash { get; set; }
}
