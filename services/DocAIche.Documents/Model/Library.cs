using DocAIche.ServiceDefaults.Data;
namespace DocAIche.Documents.Model;

/// <summary>A body of documentation (a product, a framework) a tenant keeps, in one or more versions.</summary>
public sealed class Library : ITenantOwned
{
    public Guid Id { get; set; }

    public required string TenantId { get; set; }

    /// <summary>Lower-case name, unique in the tenant: letters, digits, '.', '-', '_'.</summary>
    public required string Name { get; set; }

    public string? Description { get; set; }

    /// <summary>Every tenant may read a shared library; only its own tenant changes it.</summary>
    public bool Shared { get; set; }

    /// <summary>The version searches use when none is given.</summary>
    public string? DefaultVersion { get; set; }

    public required string CreatedBy { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    public List<LibraryVersion> Versions { get; set; } = [];

    public const int NameMaxLength = 100;
    public const int DescriptionMaxLength = 2000;
}
