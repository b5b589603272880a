namespace DocAIche.Contracts.Documents;

/// <summary>
/// A document of a library version was created or its content changed. Carries everything the
/// indexer needs (the document's chunks included), so consumers never read the documents database.
/// A large document is split over several messages (<see cref="Part"/> of <see cref="PartCount"/>),
/// each listing every chunk id of the revision so that any part can retire the chunks that are gone.
/// </summary>
/// <param name="DocumentId">The document's id.</param>
/// <param name="TenantId">The tenant that owns the library.</param>
/// <param name="LibraryId">The library the document belongs to.</param>
/// <param name="Library">The library's name.</param>
/// <param name="Version">The library version the document belongs to.</param>
/// <param name="Shared">Whether every tenant may read the library.</param>
/// <param name="Title">The document's title.</param>
/// <param name="Url">Where the document can be read, when known.</param>
/// <param name="ContentHash">SHA-256 of the normalised Markdown, hex.</param>
/// <param name="Revision">Increases with every change of the document; older revisions never overwrite newer ones.</param>
/// <param name="Part">1-based part number.</param>
/// <param name="PartCount">How many messages carry this revision.</param>
/// <param name="ChunkIds">Every chunk id of this revision, in order.</param>
/// <param name="Chunks">The chunks carried by this part.</param>
/// <param name="ChangedAt">When the change was committed.</param>
public sealed record DocumentChanged(
    Guid DocumentId,
    string TenantId,
    Guid LibraryId,
    string Library,
    string Version,
    bool Shared,
    string Title,
    string? Url,
    string ContentHash,
    int Revision,
    int Part,
    int PartCount,
    IReadOnlyList<Guid> ChunkIds,
    IReadOnlyList<DocumentChunk> Chunks,
    DateTimeOffset ChangedAt);

/// <summary>One chunk of a document: a piece of one section, sized for retrieval.</summary>
/// <param name="ChunkId">The chunk's id.</param>
/// <param name="Ordinal">Position in the document, from 0.</param>
/// <param name="Breadcrumb">Page title &gt; section &gt; subsection.</param>
/// <param name="Url">The document's URL with the section's anchor, when known.</param>
/// <param name="Languages">Code languages of the chunk's code blocks.</param>
/// <param name="Content">The chunk's Markdown.</param>
/// <param name="ContentHash">SHA-256 of breadcrumb and content, hex.</param>
public sealed record DocumentChunk(
    Guid ChunkId,
    int Ordinal,
    string Breadcrumb,
    string? Url,
    IReadOnlyList<string> Languages,
    string Content,
    string ContentHash);
