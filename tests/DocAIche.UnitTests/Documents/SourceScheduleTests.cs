using DocAIche.Documents.Ingestion;

namespace DocAIche.UnitTests.Documents;

public sealed class SourceScheduleTests
{
    [Fact]
    public void A_cron_schedule_gives_the_next_run_in_utc()
    {
        var after = new DateTimeOffset(2026, 11, 26, 17, 30, 0, TimeSpan.Zero);

        Assert.Equal(new DateTimeOffset(2026, 11, 27, 3, 0, 0, TimeSpan.Zero), SourceScheduler.NextRun("0 3 * * *", after));
    }

    [Fact]
    public void No_schedule_means_no_run() => Assert.Null(SourceScheduler.NextRun(null, DateTimeOffset.UnixEpoch));

    [Theory]
    [InlineData("every day")]
    [InlineData("61 * * * *")]
    [InlineData("")]
    public void A_bad_schedule_is_named(string schedule) => Assert.NotNull(SourceScheduler.Problem(schedule));
}
