using DocAIche.ServiceDefaults.Data;
using NpgsqlTypes;

namespace DocAIche.Search.Model;

/// <summary>A chunk of a document as the index holds it, fed by <c>DocumentChanged</c> events.</summary>
public sealed class IndexedChunk : ITenantOwned
{
    public Guid ChunkId { get; set; }

    public Guid DocumentId { get; set; }

    public required string TenantId { get; set; }

    public Guid LibraryId { get; set; }

    public required string Library { get; set; }

    public required string Version { get; set; }

    public required string Title { get; set; }

    public required string Breadcrumb { get; set; }

    public string? Url { get; set; }

    public int Ordinal { get; set; }

    public List<string> Languages { get; set; } = [];

    public required string Content { get; set; }

    public required string ContentHash { get; set; }

    public int Revision { get; set; }

    public DateTimeOffset IndexedAt { get; set; }

    /// <summary>
    /// The embedding model whose vector the chunk holds, or null while it waits for one. The
    /// vector itself (<c>"Embedding" vector(384)</c>, HNSW) is written and read with SQL only.
    /// </summary>
    public string? EmbeddingModel { get; set; }

    /// <summary>Title (A), breadcrumb (B) and text (C), computed by PostgreSQL.</summary>
    public NpgsqlTsVector SearchVector { get; set; } = null!;
}

/// <summary>The newest revision of a document the index has seen, so late or repeated events never roll it back.</summary>
public sealed class IndexedDocument : ITenantOwned
{
    public Guid DocumentId { get; set; }

    public required string TenantId { get; set; }

    public Guid LibraryId { get; set; }

    public int Revision { get; set; }

    /// <summary>The revision was removed; an event for it arriving late changes nothing.</summary>
    public bool Removed { get; set; }
}

/// <summary>A library as search knows it: for sharing across tenants, default versions and name resolution.</summary>
public sealed class IndexedLibrary : ITenantOwned
{
    public Guid LibraryId { get; set; }

    public required string TenantId { get; set; }

    public required string Name { get; set; }

    public string? Description { get; set; }

    public bool Shared { get; set; }

    public string? DefaultVersion { get; set; }

    public List<string> Versions { get; set; } = [];

    public bool Deleted { get; set; }

    public DateTimeOffset ChangedAt { get; set; }

    /// <summary>Goes up with every change to the library's index, so cached results from before it are never used.</summary>
    public long Generation { get; set; }

    /// <summary>The chunks the library had when its <see cref="IndexedTerm"/> statistics were counted (0: not counted yet).</summary>
    public int TermsChunks { get; set; }

    /// <summary>The <see cref="Generation"/> the term statistics were counted at, and when.</summary>
    public long TermsGeneration { get; set; }

    public DateTimeOffset? TermsCountedAt { get; set; }
}

/// <summary>
/// How many of a library's chunks hold a word (lexeme): the document frequency that weighs each word
/// of a query by how much it tells (inverse document frequency), and marks the words too common to
/// pick candidates. Counted by <see cref="Searching.TermStatistics"/>.
/// </summary>
public sealed class IndexedTerm : ITenantOwned
{
    public Guid LibraryId { get; set; }

    public required string TenantId { get; set; }

    public required string Lexeme { get; set; }

    public int Chunks { get; set; }
}
