using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace DocAIche.Search.Searching;

/// <summary>
/// How long each step of a computed search took in this request (scoped), reported to the caller as a
/// standard <c>Server-Timing</c> header (a search served from the cache reports <c>cache</c> alone):
/// what the benchmark reads to say where the time of a search goes.
/// </summary>
public sealed class SearchTimings
{
    private readonly List<(string Step, double Milliseconds)> _steps = [];

    /// <summary>Times <paramref name="work"/> as <paramref name="step"/>.</summary>
    public async Task<T> TimeAsync<T>(string step, Task<T> work)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            return await work;
        }
        finally
        {
            lock (_steps)
            {
                _steps.Add((step, Stopwatch.GetElapsedTime(started).TotalMilliseconds));
            }
        }
    }

    /// <summary>The header's value: <c>fulltext;dur=4.2, embed;dur=6.0, …</c>, or <c>cache</c> when nothing was computed.</summary>
    public string Header()
    {
        lock (_steps)
        {
            if (_steps.Count == 0)
            {
                return "cache";
            }

            var header = new StringBuilder();
            foreach (var (step, milliseconds) in _steps)
            {
                header.Append(header.Length == 0 ? "" : ", ").Append(step).Append(";dur=").Append(milliseconds.ToString("0.0", CultureInfo.InvariantCulture));
            }

            return header.ToString();
        }
    }
}
