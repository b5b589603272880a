namespace DocAIche.Contracts.Documents;

/// <summary>A source of a library version was created, changed or deleted. Never carries credentials.</summary>
/// <param name="SourceId">The source's id.</param>
/// <param name="TenantId">The owning tenant.</param>
/// <param name="LibraryId">The library.</param>
/// <param name="Version">The library version the source feeds.</param>
/// <param name="Kind">git, website or upload.</param>
/// <param name="Location">The repository or start URL, without credentials; null for uploads.</param>
/// <param name="Change">created, updated or deleted.</param>
/// <param name="Actor">Who made the change (subject id).</param>
/// <param name="ChangedAt">When the change was committed.</param>
public sealed record SourceChanged(
    Guid SourceId,
    string TenantId,
    Guid LibraryId,
    string Version,
    string Kind,
    string? Location,
    string Change,
    string Actor,
    DateTimeOffset ChangedAt);
