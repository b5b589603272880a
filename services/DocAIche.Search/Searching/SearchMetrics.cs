using System.Diagnostics.Metrics;

namespace DocAIche.Search.Searching;

/// <summary>
/// The search service's instruments that the service-level objectives read (meter
/// <c>DocAIche.Search</c>, exported with the service's other metrics).
/// </summary>
public sealed class SearchMetrics
{
    public const string MeterName = "DocAIche.Search";

    private readonly Histogram<double> _freshness;

    public SearchMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        _freshness = meter.CreateHistogram<double>("docaiche.search.freshness", "s",
            "Seconds from a document change's commit in the documents service to its chunks being searchable", tags: null,
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600, 1800] });
    }

    /// <summary>A document revision is searchable (full text at once; its vectors follow from the embedder).</summary>
    public void Indexed(TimeSpan sinceChange) => _freshness.Record(Math.Max(0, sinceChange.TotalSeconds));
}
