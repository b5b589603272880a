using DocAIche.Identity.Tokens;

namespace DocAIche.UnitTests.Identity;

public sealed class DelegatedRolesTests
{
    [Fact]
    public void A_key_of_a_demoted_admin_keeps_only_what_its_creator_still_holds()
    {
        Assert.Equal(["viewer"], DelegatedRoles.Intersect(["admin", "viewer"], ["viewer"]));
    }

    [Fact]
    public void A_key_whose_every_role_was_taken_from_its_creator_gives_nothing()
    {
        Assert.Null(DelegatedRoles.Intersect(["admin"], ["viewer"]));
    }

    [Fact]
    public void Roles_the_creator_holds_through_a_higher_one_still_count()
    {
        Assert.Equal(["viewer", "editor"], DelegatedRoles.Intersect(["viewer", "editor"], ["admin"]));
    }

    [Fact]
    public void The_platform_operator_role_is_never_delegated_through_a_tenant_role()
    {
        Assert.Null(DelegatedRoles.Intersect(["operator"], ["owner", "operator"]));
    }
}
