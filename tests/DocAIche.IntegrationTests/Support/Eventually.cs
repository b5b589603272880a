namespace DocAIche.IntegrationTests.Support;

/// <summary>Waits for something that events make true; fails with the last observation when it never does.</summary>
public static class Eventually
{
    public static async Task<T> Async<T>(Func<Task<T>> observe, Func<T, bool> isDone, TimeSpan within, string what)
    {
        var deadline = DateTime.UtcNow + within;
        T last;
        while (true)
        {
            last = await observe();
            if (isDone(last))
            {
                return last;
            }
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Timed out after {within.TotalSeconds:0} s waiting for {what}; last observed: {System.Text.Json.JsonSerializer.Serialize(last)}");
            }
            await Task.Delay(250);
        }
    }
}
