using DocAIche.ServiceDefaults.Data;
namespace DocAIche.Documents.Model;

/// <summary>One version of a library (<c>15.4</c>, <c>v3</c>, <c>latest</c>); every document belongs to exactly one.</summary>
public sealed class LibraryVersion : ITenantOwned
{
    public Guid Id { get; set; }

    public Guid LibraryId { get; set; }

    public Library Library { get; set; } = null!;

    public required string TenantId { get; set; }

    public required string Name { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public const int NameMaxLength = 64;
}
