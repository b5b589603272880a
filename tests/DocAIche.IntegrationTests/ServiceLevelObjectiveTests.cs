using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using DocAIche.IntegrationTests.Support;

namespace DocAIche.IntegrationTests;

/// <summary>
/// The SLO rules and the dashboard under k8s/base/monitoring read only metrics (and labels) that
/// the services really emit at /metrics, so an alert can never sit silent on a name nothing
/// produces; and the scrape endpoint is not served to callers that come through a proxy.
/// </summary>
[Collection(DocAIcheCollection.Name)]
public sealed partial class ServiceLevelObjectiveTests(DocAIcheFixture docaiche)
{
    private static readonly string[] Services = ["identity", "documents", "search", "audit", "websocket", "gateway"];

    private static string Monitoring(string file) => File.ReadAllText(Repository.PathOf("k8s", "base", "monitoring", file));

    /// <summary>Every metric each service exposes, with the label names seen on it.</summary>
    private async Task<Dictionary<string, HashSet<string>>> ScrapeAsync()
    {
        var series = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        using var http = new HttpClient();
        foreach (var service in Services)
        {
            var text = await http.GetStringAsync(new Uri(docaiche.App.GetEndpoint(service, "http"), "/metrics"));
            foreach (Match line in Sample().Matches(text))
            {
                var labels = series.TryGetValue(line.Groups["name"].Value, out var known) ? known : series[line.Groups["name"].Value] = [];
                foreach (Match label in LabelName().Matches(line.Groups["labels"].Value))
                {
                    labels.Add(label.Groups[1].Value);
                }
            }
        }
        return series;
    }

    [Fact]
    public async Task Every_metric_and_label_the_slo_rules_and_dashboard_read_is_emitted_by_a_service()
    {
        // Traffic for every SLI: a document change that becomes searchable, a live event, searches.
        await using var live = await LiveClient.ConnectAsync(docaiche.GatewayAddress, docaiche.OwnerAccessToken);
        await live.SubscribeAsync("index");
        var word = GatewayClient.UniqueWord("slo");
        var document = await docaiche.Gateway.StoreDocumentAsync("SLO page", $"# SLO page\n\nAbout {word}.");
        await live.ReceiveAsync(m => m.TryGetProperty("data", out var data) && data.TryGetProperty("documentId", out var id) && id.GetGuid() == document.Id);
        await Eventually.Async(async () => (await docaiche.Gateway.SearchAsync(word)).Results.Count, n => n > 0, TimeSpan.FromSeconds(60), "the page in search");

        var emitted = await Eventually.Async(ScrapeAsync, s => s.ContainsKey("docaiche_live_delivery_lag_seconds_bucket") && s.ContainsKey("docaiche_search_freshness_seconds_bucket"),
            TimeSpan.FromSeconds(30), "the SLI histograms at /metrics");

        var expressions = new List<string>();
        expressions.AddRange(Expression().Matches(Monitoring("slo-rules.yaml")).Select(m => m.Groups[1].Value));
        using (var dashboard = JsonDocument.Parse(Monitoring("slo-dashboard.json")))
        {
            expressions.AddRange(dashboard.RootElement.GetProperty("panels").EnumerateArray()
                .SelectMany(p => p.GetProperty("targets").EnumerateArray()).Select(t => t.GetProperty("expr").GetString()!));
        }
        Assert.True(expressions.Count > 20, $"only {expressions.Count} expressions read");
        var recorded = Recorded().Matches(Monitoring("slo-rules.yaml")).Select(m => m.Groups[1].Value).ToHashSet(StringComparer.Ordinal);

        var problems = new List<string>();
        foreach (var expression in expressions)
        {
            foreach (Match selector in Selector().Matches(expression))
            {
                var name = selector.Groups["name"].Value;
                if (name.Contains(':', StringComparison.Ordinal))
                {
                    if (!recorded.Contains(name))
                    {
                        problems.Add($"{name}: no rule records it");
                    }
                    continue;
                }
                if (!emitted.TryGetValue(name, out var labels))
                {
                    problems.Add($"{name}: no service emits it ({expression})");
                    continue;
                }
                foreach (Match matcher in LabelName().Matches(selector.Groups["labels"].Value))
                {
                    var label = matcher.Groups[1].Value;
                    if (label is not ("job" or "slo") && !labels.Contains(label))
                    {
                        problems.Add($"{name}: has no label {label}");
                    }
                }
            }
        }
        Assert.True(problems.Count == 0, string.Join('\n', problems.Distinct()));
    }

    [Fact]
    public async Task Metrics_are_not_served_to_callers_that_come_through_a_proxy()
    {
        using var http = new HttpClient();
        var gateway = docaiche.App.GetEndpoint("gateway", "http");
        using var direct = await http.GetAsync(new Uri(gateway, "/metrics"));
        using var proxied = new HttpRequestMessage(HttpMethod.Get, new Uri(gateway, "/metrics"));
        proxied.Headers.Add("X-Forwarded-For", "198.51.100.7");
        using var refused = await http.SendAsync(proxied);

        Assert.Equal(HttpStatusCode.OK, direct.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, refused.StatusCode);
    }

    // name{labels} value, in the Prometheus text format (comments and TYPE lines excluded)
    [GeneratedRegex(@"^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>[^}]*)\})?\s", RegexOptions.Multiline)]
    private static partial Regex Sample();

    [GeneratedRegex(@"([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)")]
    private static partial Regex LabelName();

    [GeneratedRegex(@"expr:\s*(.+)")]
    private static partial Regex Expression();

    [GeneratedRegex(@"record:\s*([a-zA-Z_:][a-zA-Z0-9_:]*)")]
    private static partial Regex Recorded();

    // a series selector: a name with {matchers} or a [range] (a function call has "(", a label "=");
    // or a recorded series, whose name has colons
    [GeneratedRegex(@"(?<![a-zA-Z0-9_:""])(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(?<labels>[^}]*)\}|(?=\[))|(?<![a-zA-Z0-9_:])(?<name>[a-zA-Z_][a-zA-Z0-9_]*:[a-zA-Z0-9_:]+)")]
    private static partial Regex Selector();
}
