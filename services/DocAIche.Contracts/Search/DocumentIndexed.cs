namespace DocAIche.Contracts.Search;

/// <summary>The search index now answers for a document.</summary>
/// <param name="DocumentId">The document's id.</param>
/// <param name="TenantId">The tenant that owns the document.</param>
/// <param name="Title">The document's title, for notifications.</param>
/// <param name="IndexedAt">When the index change was committed.</param>
public sealed record DocumentIndexed(
    Guid DocumentId,
    string TenantId,
    string Title,
    DateTimeOffset IndexedAt);
