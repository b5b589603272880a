namespace DocAIche.Console.Api;

public sealed record Page<T>(List<T> Items, string? NextCursor);

public sealed record Library(
    Guid Id, string Name, string? Description, bool Shared, bool Owned, string? DefaultVersion, List<string> Versions,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

public sealed record ApiKey(
    Guid Id, string Name, string Prefix, List<string> Roles, DateTimeOffset CreatedAt,
    DateTimeOffset? ExpiresAt, DateTimeOffset? RevokedAt, DateTimeOffset? LastUsedAt, Guid CreatedBy, string? Key);

public sealed record SearchHit(
    Guid DocumentId, Guid ChunkId, Guid LibraryId, string Library, string Version, string Title, string Breadcrumb, string? Url,
    string Snippet, string Content, double Score, int Tokens, bool Truncated);

public sealed record SearchAnswer(string Query, string? Library, string? Version, List<string> Methods, List<SearchHit> Results, int Tokens, string? NextCursor);

