// The admin console measured in a real browser (Debian's Chromium through Playwright), with DocAIche
// booted from the real AppHost: how long each page takes to load signed in (until its heading and
// data are shown, live), how long a move between pages takes inside the live page, and what each
// signed-in session (an open page: a circuit on the server) costs the console process in memory.
// Only loopback is contacted. Prints its numbers; asserts nothing.
//
//   dotnet run -c Release --project tests/DocAIche.ConsoleBenchmark -- [--sessions 20] [--rounds 10]
using System.Diagnostics;
using System.Globalization;
using DocAIche.IntegrationTests.Console;
using DocAIche.IntegrationTests.Support;
using Microsoft.Playwright;

CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
string? Value(string name) => Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;
var sessions = int.Parse(Value("--sessions") ?? "20", CultureInfo.InvariantCulture);
var rounds = int.Parse(Value("--rounds") ?? "10", CultureInfo.InvariantCulture);
(string Path, string Menu, string Heading)[] pages =
[
    ("/", "Overview", "Overview"), ("/libraries", "Libraries", "Libraries"), ("/sources", "Sources", "Sources"), ("/jobs", "Jobs", "Jobs"),
    ("/documents", "Documents", "Documents"), ("/search", "Search", "Search"), ("/api-keys", "API keys", "API keys"), ("/users", "Users", "Users"),
    ("/audit", "Audit trail", "Audit trail"), ("/health-status", "Health", "Health"),
];

var docaiche = new DocAIcheFixture();
await docaiche.InitializeAsync();
try
{
    using var tenant = await TenantSession.StartAsync(docaiche);
    for (var i = 0; i < 20; i++)
    {
        await tenant.Owner.CreateLibraryAsync($"bench-{i}-{Guid.NewGuid():N}"[..20], ["1", "2"]);
    }
    for (var i = 0; i < 10; i++)
    {
        await tenant.Owner.StoreDocumentAsync($"Page {i}", $"# Page {i}\n\nText of page {i}.\n");
    }
    var admin = await tenant.CreateUserAsync("Benchmark Admin", "admin");
    await using var browser = await ConsoleBrowser.LaunchAsync();
    Console.WriteLine($"# DocAIche console, {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC; {Environment.ProcessorCount} cores; Chromium {browser.Browser.Version}; 20 libraries in the tenant");

    var first = await browser.SignInAsync(docaiche.GatewayAddress, admin.Email, admin.Password);
    var loads = pages.ToDictionary(p => p.Path, _ => new List<double>());
    var moves = pages.ToDictionary(p => p.Path, _ => new List<double>());
    for (var round = 0; round < rounds + 1; round++)
    {
        foreach (var (path, menu, heading) in pages)
        {
            // A full load: the document, scripts and styles (from the browser's cache after the first
            // round), the live connection and the page's first render, until its heading is shown.
            var clock = Stopwatch.StartNew();
            await first.GotoAsync(path);
            await Assertions.Expect(first.GetByRole(AriaRole.Heading, new() { Name = heading, Level = 1 })).ToBeVisibleAsync();
            if (round > 0)
            {
                loads[path].Add(clock.Elapsed.TotalMilliseconds);
            }
        }
        foreach (var (path, menu, heading) in pages.Reverse())
        {
            var clock = Stopwatch.StartNew();
            await ConsoleBrowser.OpenAsync(first, menu, heading);
            if (round > 0)
            {
                moves[path].Add(clock.Elapsed.TotalMilliseconds);
            }
        }
    }
    Console.WriteLine();
    Console.WriteLine("| page | full load p50 | full load p95 | move from the menu p50 | move p95 |");
    Console.WriteLine("|---|---:|---:|---:|---:|");
    foreach (var (path, _, _) in pages)
    {
        Console.WriteLine($"| {path} | {Percentile(loads[path], 50):0} ms | {Percentile(loads[path], 95):0} ms | {Percentile(moves[path], 50):0} ms | {Percentile(moves[path], 95):0} ms |");
    }
    var navigation = await first.EvaluateAsync<double[]>("() => { const n = performance.getEntriesByType('navigation')[0]; return [n.responseStart - n.startTime, n.domContentLoadedEventEnd - n.startTime, n.loadEventEnd - n.startTime]; }");
    Console.WriteLine($"browser's own timing of the last load: first byte {navigation[0]:0} ms, DOM ready {navigation[1]:0} ms, loaded {navigation[2]:0} ms");
    var cold = await browser.Browser.NewContextAsync(new() { BaseURL = docaiche.GatewayAddress.ToString() });
    var coldPage = await cold.NewPageAsync();
    var coldClock = Stopwatch.StartNew();
    await coldPage.GotoAsync("/");
    await coldPage.Locator("#email").WaitForAsync();
    Console.WriteLine($"first visit, nothing cached, not signed in: the sign-in form after {coldClock.Elapsed.TotalMilliseconds:0} ms");
    await cold.CloseAsync();

    // Memory: the console's proportional set size with no page open, then with each session's page open.
    await first.Context.CloseAsync();
    await Task.Delay(TimeSpan.FromSeconds(5));
    var before = ResourceProcesses.Pss("console");
    var open = new List<IPage>();
    for (var i = 0; i < sessions; i++)
    {
        var page = await browser.SignInAsync(docaiche.GatewayAddress, admin.Email, admin.Password);
        await ConsoleBrowser.OpenAsync(page, "Libraries", "Libraries");
        open.Add(page);
    }
    await Task.Delay(TimeSpan.FromSeconds(5));
    var after = ResourceProcesses.Pss("console");
    Console.WriteLine();
    Console.WriteLine($"console memory (PSS): {before / 1048576.0:0} MiB with no session, {after / 1048576.0:0} MiB with {sessions} signed-in sessions on the libraries page: {(after - before) / 1024.0 / sessions:0} KiB per session");

    // The jobs page holds, per session, the console's own live connection to /ws (with the person's token).
    foreach (var page in open)
    {
        await ConsoleBrowser.OpenAsync(page, "Jobs", "Jobs");
        await Assertions.Expect(page.Locator("#live-state")).ToHaveAttributeAsync("data-state", "live");
    }
    await Task.Delay(TimeSpan.FromSeconds(5));
    var live = ResourceProcesses.Pss("console");
    Console.WriteLine($"console memory (PSS): {live / 1048576.0:0} MiB with the {sessions} sessions on the jobs page, each followed live: {(live - before) / 1024.0 / sessions:0} KiB per session");
    foreach (var page in open)
    {
        await page.Context.CloseAsync();
    }
}
finally
{
    await docaiche.DisposeAsync();
}
return 0;

static double Percentile(List<double> values, double percentile)
{
    if (values.Count == 0)
    {
        return double.NaN;
    }
    var sorted = values.Order().ToList();
    return sorted[Math.Clamp((int)Math.Ceiling(percentile / 100 * sorted.Count) - 1, 0, sorted.Count - 1)];
}
