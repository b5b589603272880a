// Authentication cost at the gateway: requests per second and latency through the gateway for the
// same route with a JWT, with an API key, and without credentials, plus the gateway's own /alive.
// Run DocAIche first with limits raised so the rate limiter does not decide the result:
//   ./run.sh --Gateway:Edge:PerCaller:TokenLimit=1000000 --Gateway:Edge:PerCaller:TokensPerPeriod=1000000 \
//            --Gateway:Edge:PerTenant:TokenLimit=1000000 --Gateway:Edge:PerTenant:TokensPerPeriod=1000000 \
//            --Gateway:Edge:Anonymous:TokenLimit=1000000 --Gateway:Edge:Anonymous:TokensPerPeriod=1000000
// then: dotnet run -c Release --project tests/DocAIche.Benchmarks [seconds per scenario] [concurrency]
// The owner's credentials come from DOCAICHE_BOOTSTRAP_EMAIL / DOCAICHE_BOOTSTRAP_PASSWORD, or the
// generated password under /var/lib/docaiche/secrets. Only loopback is ever called.
using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using DocAIche.IntegrationTests.Support;

var gateway = new Uri(Environment.GetEnvironmentVariable("DOCAICHE_GATEWAY") ?? "http://127.0.0.1:8080");
if (!gateway.IsLoopback)
{
    Console.Error.WriteLine("The benchmark only runs against a gateway on loopback.");
    return 2;
}
var seconds = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 10;
var concurrency = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 32;
var email = Environment.GetEnvironmentVariable("DOCAICHE_BOOTSTRAP_EMAIL") ?? "owner@docaiche.local";
var password = Environment.GetEnvironmentVariable("DOCAICHE_BOOTSTRAP_PASSWORD")
    ?? File.ReadAllText(Path.Combine(Environment.GetEnvironmentVariable("DOCAICHE_DATA") ?? "/var/lib/docaiche", "secrets", "bootstrap-password")).Trim();

var owner = await OidcTestClient.SignInAsync(gateway, email, password);
using var setup = new HttpClient { BaseAddress = gateway };
setup.DefaultRequestHeaders.Authorization = new("Bearer", owner.AccessToken);
using var keyResponse = await setup.PostAsJsonAsync("/api/v1/api-keys", new { name = "auth benchmark", roles = new[] { "viewer" } });
keyResponse.EnsureSuccessStatusCode();
var key = await keyResponse.Content.ReadFromJsonAsync<JsonElement>();
var apiKey = key.GetProperty("key").GetString()!;

// A document id that does not exist: the service answers 404 after its token check and one indexed lookup.
var route = $"/api/v1/documents/{Guid.NewGuid()}";
Console.WriteLine($"gateway {gateway}, {concurrency} concurrent clients, {seconds} s per scenario, route GET {route[..18]}...");
Console.WriteLine($"{"scenario",-34} {"req/s",8} {"p50 ms",8} {"p99 ms",8}  statuses");
await RunAsync("gateway only (/alive)", "/alive", _ => { });
await RunAsync("no credentials (401 from service)", route, _ => { });
await RunAsync("JWT bearer (404 from service)", route, r => r.Headers.Authorization = new("Bearer", owner.AccessToken));
await RunAsync("API key (404 from service)", route, r => r.Headers.Add("X-Api-Key", apiKey));

await setup.DeleteAsync($"/api/v1/api-keys/{key.GetProperty("id").GetGuid()}");
return 0;

async Task RunAsync(string name, string path, Action<HttpRequestMessage> authenticate)
{
    using var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = concurrency * 2 }) { BaseAddress = gateway };
    // Warm up: connections, JIT, the API-key exchange cache.
    for (var i = 0; i < 50; i++)
    {
        using var warm = new HttpRequestMessage(HttpMethod.Get, path);
        authenticate(warm);
        using var _ = await client.SendAsync(warm);
    }

    var latencies = new List<double>[concurrency];
    var statuses = new Dictionary<int, int>[concurrency];
    var stopAt = Stopwatch.GetTimestamp() + (long)(seconds * (double)Stopwatch.Frequency);
    var started = Stopwatch.GetTimestamp();
    await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async worker =>
    {
        latencies[worker] = [];
        statuses[worker] = [];
        while (Stopwatch.GetTimestamp() < stopAt)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            authenticate(request);
            var sent = Stopwatch.GetTimestamp();
            using var response = await client.SendAsync(request);
            latencies[worker].Add(Stopwatch.GetElapsedTime(sent).TotalMilliseconds);
            var code = (int)response.StatusCode;
            statuses[worker][code] = statuses[worker].GetValueOrDefault(code) + 1;
        }
    }));
    var elapsed = Stopwatch.GetElapsedTime(started).TotalSeconds;
    var all = latencies.SelectMany(l => l).Order().ToArray();
    var counts = statuses.SelectMany(s => s).GroupBy(s => s.Key).Select(g => $"{g.Key}x{g.Sum(s => s.Value)}");
    Console.WriteLine($"{name,-34} {all.Length / elapsed,8:0} {all[all.Length / 2],8:0.0} {all[(int)(all.Length * 0.99)],8:0.0}  {string.Join(" ", counts)}");
}
