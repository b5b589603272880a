namespace DocAIche.Contracts.Documents;

/// <summary>
/// A library was created, changed or deleted, or its versions changed. Carries the library's whole
/// current state, so the latest message is all a consumer needs.
/// </summary>
/// <param name="LibraryId">The library's id.</param>
/// <param name="TenantId">The owning tenant.</param>
/// <param name="Name">The library's name, unique in the tenant.</param>
/// <param name="Description">What the library is.</param>
/// <param name="Shared">Whether every tenant may read it.</param>
/// <param name="DefaultVersion">The version a search without a version uses.</param>
/// <param name="Versions">Every current version.</param>
/// <param name="Change">created, updated, version-added, version-deleted or deleted.</param>
/// <param name="Actor">Who made the change (subject id).</param>
/// <param name="ChangedAt">When the change was committed; older states never overwrite newer ones.</param>
public sealed record LibraryChanged(
    Guid LibraryId,
    string TenantId,
    string Name,
    string? Description,
    bool Shared,
    string? DefaultVersion,
    IReadOnlyList<string> Versions,
    string Change,
    string Actor,
    DateTimeOffset ChangedAt);
