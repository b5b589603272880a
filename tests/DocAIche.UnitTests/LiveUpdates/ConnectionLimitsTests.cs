using DocAIche.WebSocket.LiveUpdates;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace DocAIche.UnitTests.LiveUpdates;

/// <summary>The limits as one instance holds them (without Redis); the shared counts are tested against a real Redis in the integration tests.</summary>
public sealed class ConnectionLimitsTests
{
    private static ConnectionLimits Limits(int perUser = 50, int perTenant = 1000) =>
        new(Options.Create(new LiveUpdateOptions { MaxConnectionsPerUser = perUser, MaxConnectionsPerTenant = perTenant }), NullLogger<ConnectionLimits>.Instance);

    private static LiveCaller Caller(string tenant, string subject) => new(tenant, subject, ReadsDocumentation: true, SeesAlerts: false);

    [Fact]
    public async Task A_user_cannot_hold_more_connections_than_allowed_until_one_closes()
    {
        var limits = Limits(perUser: 2);
        var user = Caller("a", "u1");

        Assert.True(await limits.TryAdmitAsync(user));
        Assert.True(await limits.TryAdmitAsync(user));
        Assert.False(await limits.TryAdmitAsync(user));
        Assert.True(await limits.TryAdmitAsync(Caller("a", "u2")));
        limits.Release(user);
        Assert.True(await limits.TryAdmitAsync(user));
    }

    [Fact]
    public async Task A_tenant_cannot_hold_more_connections_than_allowed_and_other_tenants_are_unaffected()
    {
        var limits = Limits(perTenant: 2);

        Assert.True(await limits.TryAdmitAsync(Caller("a", "u1")));
        Assert.True(await limits.TryAdmitAsync(Caller("a", "u2")));
        Assert.False(await limits.TryAdmitAsync(Caller("a", "u3")));
        // The same subject in another tenant is another user, with counts of its own.
        Assert.True(await limits.TryAdmitAsync(Caller("b", "u1")));
        Assert.True(await limits.TryAdmitAsync(Caller("b", "u2")));
    }

    [Fact]
    public async Task A_refused_admission_takes_nothing()
    {
        var limits = Limits(perUser: 1, perTenant: 2);
        Assert.True(await limits.TryAdmitAsync(Caller("a", "u1")));
        Assert.False(await limits.TryAdmitAsync(Caller("a", "u1")));

        // The refusal above did not count against the tenant: its second place is still free.
        Assert.True(await limits.TryAdmitAsync(Caller("a", "u2")));
    }
}
