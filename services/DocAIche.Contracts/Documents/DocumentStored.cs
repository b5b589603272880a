namespace DocAIche.Contracts.Documents;

/// <summary>
/// A document was stored by the documents service (created or replaced). Carries what the indexer
/// needs, so consumers never read the documents database.
/// </summary>
/// <param name="DocumentId">The document's id.</param>
/// <param name="TenantId">The tenant that owns the document.</param>
/// <param name="Title">The document's title.</param>
/// <param name="Content">The document's text (Markdown).</param>
/// <param name="SourceUrl">Where the document came from, when known.</param>
/// <param name="ContentHash">SHA-256 of the content, hex; lets consumers skip unchanged text.</param>
/// <param name="StoredAt">When the change was committed.</param>
public sealed record DocumentStored(
    Guid DocumentId,
    string TenantId,
    string Title,
    string Content,
    string? SourceUrl,
    string ContentHash,
    DateTimeOffset StoredAt);
