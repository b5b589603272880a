using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

/// <summary>How a set of search requests went: latencies of the good ones, and what went wrong with the rest.</summary>
internal sealed class LoadResult
{
    private readonly ConcurrentBag<double> _milliseconds = [];
    private readonly ConcurrentDictionary<string, int> _errors = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ConcurrentBag<double>> _steps = new(StringComparer.Ordinal);
    private int _fullTextOnly;

    public TimeSpan Elapsed { get; set; }

    /// <summary>The run stopped early: the bearer token expired (and was not refreshed in its file).</summary>
    public bool TokenExpired { get; set; }

    public int Ok => _milliseconds.Count;

    public int Errors => _errors.Values.Sum();

    /// <summary>Good responses whose methods lacked "semantic": the service's query embedding failed.</summary>
    public int FullTextOnly => _fullTextOnly;

    public string ErrorSummary => _errors.IsEmpty ? "none" : string.Join(", ", _errors.OrderByDescending(e => e.Value).Select(e => $"{e.Key} x{e.Value}"));

    public IReadOnlyDictionary<string, int> ErrorCounts => _errors;

    public void Success(double milliseconds, bool semantic)
    {
        _milliseconds.Add(milliseconds);
        if (!semantic)
        {
            Interlocked.Increment(ref _fullTextOnly);
        }
    }

    /// <summary>Records the service's own time per step, from its <c>Server-Timing</c> header (<c>embed;dur=12.3, fulltext;dur=8.1</c>).</summary>
    public void Steps(IEnumerable<string> serverTiming)
    {
        foreach (var metric in serverTiming.SelectMany(h => h.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)))
        {
            var parts = metric.Split(';', StringSplitOptions.TrimEntries);
            var duration = parts.Skip(1).FirstOrDefault(p => p.StartsWith("dur=", StringComparison.Ordinal));
            if (duration is not null && double.TryParse(duration[4..], System.Globalization.CultureInfo.InvariantCulture, out var milliseconds))
            {
                _steps.GetOrAdd(parts[0], _ => []).Add(milliseconds);
            }
        }
    }

    /// <summary>Each step the service reported: how many requests had it, and its p50 and p95 in milliseconds.</summary>
    public IEnumerable<(string Step, int Count, double P50, double P95)> StepPercentiles() =>
        _steps.OrderBy(s => s.Key, StringComparer.Ordinal).Select(s => (s.Key, s.Value.Count, Nearest(s.Value, 50), Nearest(s.Value, 95)));

    public void Error(string kind) => _errors.AddOrUpdate(kind, 1, (_, n) => n + 1);

    /// <summary>Nearest-rank percentile of the good requests' latencies, in milliseconds.</summary>
    public double Percentile(double p) => Nearest(_milliseconds, p);

    private static double Nearest(IEnumerable<double> values, double p)
    {
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0)
        {
            return double.NaN;
        }
        var rank = (int)Math.Ceiling(p / 100.0 * sorted.Length);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
    }

    public double Max => _milliseconds.IsEmpty ? double.NaN : _milliseconds.Max();

    public double Mean => _milliseconds.IsEmpty ? double.NaN : _milliseconds.Average();
}

/// <summary>Search requests against one base address (the gateway or the search service itself).</summary>
internal sealed class SearchTarget(string name, Uri baseAddress, BenchmarkOptions options, string library) : IDisposable
{
    private readonly HttpClient _http = new(new SocketsHttpHandler
    {
        // Keep-alive connections for the whole run; as many as the concurrency needs.
        PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
        PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
        UseProxy = false,
    })
    {
        BaseAddress = baseAddress,
        Timeout = TimeSpan.FromSeconds(60),
    };

    public string Name { get; } = name;

    public Uri BaseAddress { get; } = baseAddress;

    /// <summary>One search; records its latency (200 with at least one result) or its failure.</summary>
    public async Task SearchAsync(string query, LoadResult result, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get,
            $"/api/v1/search?q={Uri.EscapeDataString(query)}&library={Uri.EscapeDataString(library)}&limit=10");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", options.Token());
        var clock = Stopwatch.GetTimestamp();
        try
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken);
            var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
            var milliseconds = Stopwatch.GetElapsedTime(clock).TotalMilliseconds;
            if (response.StatusCode != HttpStatusCode.OK)
            {
                result.Error($"HTTP {(int)response.StatusCode}");
                return;
            }
            using var json = JsonDocument.Parse(body);
            var root = json.RootElement;
            if (!root.TryGetProperty("results", out var results) || results.GetArrayLength() == 0)
            {
                result.Error("200 without results");
                return;
            }
            var semantic = root.TryGetProperty("methods", out var methods) &&
                           methods.EnumerateArray().Any(m => m.GetString() == "semantic");
            result.Success(milliseconds, semantic);
            if (response.Headers.TryGetValues("Server-Timing", out var timing))
            {
                result.Steps(timing);
            }
        }
        catch (HttpRequestException exception)
        {
            result.Error($"connection: {exception.HttpRequestError}");
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            result.Error("timeout (60 s)");
        }
        catch (JsonException)
        {
            result.Error("200 with a body that is not JSON");
        }
    }

    /// <summary>The queries one at a time, in order; recorded in <paramref name="into"/> when given (its elapsed time grows).</summary>
    public async Task<LoadResult> SequentialAsync(IEnumerable<string> queries, CancellationToken cancellationToken, LoadResult? into = null)
    {
        var result = into ?? new LoadResult();
        var clock = Stopwatch.StartNew();
        foreach (var query in queries)
        {
            if (options.TokenSecondsLeft() is < 0)
            {
                result.TokenExpired = true;
                break;
            }
            await SearchAsync(query, result, cancellationToken);
        }
        result.Elapsed += clock.Elapsed;
        return result;
    }

    /// <summary><paramref name="concurrency"/> loops, each sending the next query as soon as its last one answered, for <paramref name="duration"/>.</summary>
    public async Task<LoadResult> ConcurrentAsync(Func<string> nextQuery, int concurrency, TimeSpan duration, CancellationToken cancellationToken)
    {
        var result = new LoadResult();
        var clock = Stopwatch.StartNew();
        var loops = Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
        {
            while (clock.Elapsed < duration && !cancellationToken.IsCancellationRequested)
            {
                if (options.TokenSecondsLeft() is < 0)
                {
                    result.TokenExpired = true;
                    break;
                }
                await SearchAsync(nextQuery(), result, cancellationToken);
            }
        }, cancellationToken));
        await Task.WhenAll(loops);
        result.Elapsed = clock.Elapsed;
        return result;
    }

    public void Dispose() => _http.Dispose();
}
