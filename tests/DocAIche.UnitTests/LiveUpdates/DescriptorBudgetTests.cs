using DocAIche.WebSocket.LiveUpdates;

namespace DocAIche.UnitTests.LiveUpdates;

public sealed class DescriptorBudgetTests
{
    [Fact]
    public void Connections_take_the_open_files_limit_less_what_is_open_and_the_reserve()
    {
        var limit = DescriptorBudget.OpenFilesLimit();
        if (limit is null)
        {
            // Not Linux, or no limit: nothing caps the listener.
            Assert.Equal(int.MaxValue, DescriptorBudget.Connections(512));
            return;
        }
        var open = Directory.EnumerateFileSystemEntries("/proc/self/fd").Count();

        var budget = DescriptorBudget.Connections(512);

        // The test process opens and closes files meanwhile: within a few of the exact figure.
        Assert.InRange(budget, limit.Value - open - 512 - 16, limit.Value - open - 512 + 16);
        Assert.True(DescriptorBudget.Connections(reserve: (int)limit.Value) == 0, "a reserve as large as the limit leaves nothing");
    }
}
