using DocAIche.ServiceDefaults.Quotas;

namespace DocAIche.UnitTests.Quotas;

public sealed class TenantQuotasTests
{
    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 2)]
    [InlineData(5, 4)]
    [InlineData(10, 8)]
    [InlineData(11, 9)]
    [InlineData(1000, 800)]
    public void The_alert_is_due_at_the_first_whole_number_at_or_above_80_percent(long limit, long at) =>
        Assert.Equal(at, TenantQuotas.AlertAt(limit));

    [Fact]
    public void Only_the_change_that_reaches_80_percent_crosses_it()
    {
        Assert.True(TenantQuotas.CrossesAlert(10, 7, 8));
        Assert.True(TenantQuotas.CrossesAlert(10, 0, 50));
        Assert.False(TenantQuotas.CrossesAlert(10, 8, 9));
        Assert.False(TenantQuotas.CrossesAlert(10, 6, 7));
        Assert.False(TenantQuotas.CrossesAlert(null, 0, 1_000_000));
    }

    [Fact]
    public void Quotas_survive_the_trip_through_redis_and_unlimited_ones_stay_unwritten()
    {
        var quotas = new TenantQuotas(Libraries: 3, SearchesPerDay: 1000);
        var json = quotas.ToJson();
        Assert.DoesNotContain("documents", json, StringComparison.Ordinal);
        Assert.Equal(quotas, TenantQuotas.FromJson(json));
        Assert.Null(TenantQuotas.FromJson("not json"));
        Assert.Null(TenantQuotas.FromJson(null));
    }
}
