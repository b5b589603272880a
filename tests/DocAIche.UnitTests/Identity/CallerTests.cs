using System.Security.Claims;
using DocAIche.Identity.Apis;

namespace DocAIche.UnitTests.Identity;

public sealed class CallerTests
{
    private static Caller With(params string[] roles) => Caller.From(new ClaimsPrincipal(new ClaimsIdentity(
        [new Claim("sub", $"user:{Guid.NewGuid()}"), new Claim("tenant", "acme"), .. roles.Select(r => new Claim("role", r))], "test")));

    [Theory]
    [InlineData("owner", "owner", true)]
    [InlineData("owner", "auditor", true)]
    [InlineData("admin", "owner", false)]
    [InlineData("admin", "viewer", true)]
    [InlineData("admin", "auditor", true)]
    [InlineData("editor", "viewer", true)]
    [InlineData("editor", "admin", false)]
    [InlineData("viewer", "editor", false)]
    [InlineData("auditor", "viewer", false)]
    [InlineData("auditor", "auditor", true)]
    [InlineData("operator", "viewer", false)]
    public void A_role_holds_the_roles_it_includes_and_no_others(string has, string asked, bool holds) =>
        Assert.Equal(holds, With(has).Holds(asked));

    [Fact]
    public void Only_owners_may_grant_the_owner_role() 
    {
        Assert.True(With("owner").MayGrant(["owner", "viewer"]));
        Assert.False(With("admin").MayGrant(["owner"]));
        Assert.True(With("admin").MayGrant(["editor", "auditor"]));
    }

    [Fact]
    public void Nobody_may_grant_a_role_that_is_not_a_tenant_role()
    {
        Assert.False(With("owner").MayGrant(["operator"]));
        Assert.False(With("owner").MayGrant(["root"]));
    }

    [Fact]
    public void The_tenant_and_user_come_from_the_token()
    {
        var id = Guid.NewGuid();
        var caller = Caller.From(new ClaimsPrincipal(new ClaimsIdentity(
            [new Claim("sub", $"user:{id}"), new Claim("tenant", "acme")], "test")));

        Assert.Equal("acme", caller.TenantId);
        Assert.Equal(id, caller.UserId);
    }

    [Fact]
    public void A_machine_or_key_caller_has_no_user_id()
    {
        var caller = Caller.From(new ClaimsPrincipal(new ClaimsIdentity(
            [new Claim("sub", "apikey:123"), new Claim("tenant", "acme")], "test")));

        Assert.Null(caller.UserId);
    }
}
