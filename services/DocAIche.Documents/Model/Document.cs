using DocAIche.ServiceDefaults.Data;
namespace DocAIche.Documents.Model;

/// <summary>A page of documentation in one library version, normalised to Markdown.</summary>
public sealed class Document : ITenantOwned
{
    public Guid Id { get; set; }

    public required string TenantId { get; set; }

    public Guid LibraryId { get; set; }

    public Guid LibraryVersionId { get; set; }

    public Guid SourceId { get; set; }

    /// <summary>Identity within the source: repository path, archive path or canonical URL.</summary>
    public required string Key { get; set; }

    public required string Title { get; set; }

    /// <summary>The text, as Markdown.</summary>
    public required string Content { get; set; }

    public string? SourceUrl { get; set; }

    /// <summary>SHA-256 of <see cref="Content"/>, hex; unchanged content causes no work downstream.</summary>
    public required string ContentHash { get; set; }

    public int Revision { get; set; }

    public string? ETag { get; set; }

    public string? LastModified { get; set; }

    /// <summary>Pages a crawled page links to, so a crawl that gets "304 Not Modified" for it still follows them.</summary>
    public List<string>? Links { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    public List<Chunk> Chunks { get; set; } = [];

    public const int TitleMaxLength = 300;
    public const int ContentMaxLength = 2_000_000;
    public const int SourceUrlMaxLength = 2048;
}
