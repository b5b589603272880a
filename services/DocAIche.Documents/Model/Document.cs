namespace DocAIche.Documents.Model;

/// <summary>A piece of documentation a tenant stored.</summary>
public sealed class Document
{
    public Guid Id { get; set; }

    public required string TenantId { get; set; }

    public required string Title { get; set; }

    /// <summary>The text, as Markdown.</summary>
    public required string Content { get; set; }

    public string? SourceUrl { get; set; }

    /// <summary>SHA-256 of <see cref="Content"/>, hex.</summary>
    public required string ContentHash { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    public const int TitleMaxLength = 300;
    public const int ContentMaxLength = 1_000_000;
    public const int SourceUrlMaxLength = 2048;
}
