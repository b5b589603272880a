namespace DocAIche.Console.Components.Shared;

/// <summary>Runs a page's work at a fixed interval until the page is left (disposed).</summary>
public sealed class PageTicker : IDisposable
{
    private readonly PeriodicTimer timer;

    private PageTicker(TimeSpan every, Func<Task> tick)
    {
        timer = new PeriodicTimer(every);
        _ = RunAsync(tick);
    }

    /// <summary>Starts calling <paramref name="tick"/> every <paramref name="every"/>; a page passes work wrapped in its InvokeAsync.</summary>
    public static PageTicker Every(TimeSpan every, Func<Task> tick) => new(every, tick);

    public void Dispose() => timer.Dispose();

    private async Task RunAsync(Func<Task> tick)
    {
        // A disposed timer ends the wait with false: the loop ends with the page.
        while (await timer.WaitForNextTickAsync())
        {
            await tick();
        }
    }
}
