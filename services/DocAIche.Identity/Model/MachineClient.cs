using DocAIche.ServiceDefaults.Data;
namespace DocAIche.Identity.Model;

/// <summary>
/// The DocAIche side of an OAuth client registered for machine access (client credentials): the
/// tenant it acts for and its roles. The OAuth registration itself lives in OpenIddict's tables.
/// </summary>
public sealed class MachineClient : ITenantOwned
{
    public required string ClientId { get; set; }

    public required string TenantId { get; set; }

    public required string DisplayName { get; set; }

    public List<string> Roles { get; set; } = [];

    public Guid CreatedBy { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}
