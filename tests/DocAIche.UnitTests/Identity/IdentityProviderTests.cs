using DocAIche.Identity.Model;

namespace DocAIche.UnitTests.Identity;

public sealed class IdentityProviderTests
{
    private static readonly IdentityProvider Provider = new()
    {
        TenantId = "t", DisplayName = "P", Authority = "https://idp.example.com", ClientId = "c", ProtectedClientSecret = "s",
        GroupRoles =
        [
            new GroupRoles { Group = "docs-team", Roles = ["editor"] },
            new GroupRoles { Group = "it-admins", Roles = ["admin", "auditor"] },
            new GroupRoles { Group = "Docs-Team", Roles = ["owner"] },
        ],
    };

    [Fact]
    public void Roles_are_the_union_of_the_mapped_groups_and_group_names_match_exactly()
    {
        Assert.Equal(["admin", "auditor", "editor"], Provider.RolesFor(["docs-team", "it-admins", "marketing"]));
        Assert.Equal(["editor"], Provider.RolesFor(["docs-team", "docs-team"]));
        Assert.Empty(Provider.RolesFor(["docs-TEAM", "marketing"]));
        Assert.Empty(Provider.RolesFor([]));
    }
}
