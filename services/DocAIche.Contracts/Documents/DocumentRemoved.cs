namespace DocAIche.Contracts.Documents;

/// <summary>A document left its library version (it vanished from its source, or its source was deleted).</summary>
/// <param name="DocumentId">The document's id.</param>
/// <param name="TenantId">The owning tenant.</param>
/// <param name="LibraryId">The library.</param>
/// <param name="Version">The library version.</param>
/// <param name="Revision">The revision removed; a later re-creation has a higher one.</param>
/// <param name="RemovedAt">When the removal was committed.</param>
public sealed record DocumentRemoved(
    Guid DocumentId,
    string TenantId,
    Guid LibraryId,
    string Version,
    int Revision,
    DateTimeOffset RemovedAt);
