using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using DocAIche.IntegrationTests.Support;

namespace DocAIche.IntegrationTests;

/// <summary>The HA profile (<c>DOCAICHE_REPLICAS=2</c>) booted once for these tests: two of every service, two gateways, HAProxy in front.</summary>
public sealed class ReplicatedDocAIcheFixture : IAsyncLifetime
{
    public DocAIcheFixture DocAIche { get; } = DocAIcheFixture.WithSettings(["DOCAICHE_REPLICAS=2"]);

    public Task InitializeAsync() => DocAIche.InitializeAsync();

    public Task DisposeAsync() => DocAIche.DisposeAsync();
}

[CollectionDefinition(Name)]
public sealed class ReplicatedCollection : ICollectionFixture<ReplicatedDocAIcheFixture>
{
    public const string Name = "DocAIche with two of everything";
}

/// <summary>
/// The short version of the fault campaign (tests/DocAIche.FaultCampaign): under steady reads and
/// keyed writes through the front, one instance of a service is killed and another stopped; every
/// read succeeds with one retry, and every accepted write is stored, searchable and audited once.
/// </summary>
[Collection(ReplicatedCollection.Name)]
public sealed class HighAvailabilityTests(ReplicatedDocAIcheFixture replicated)
{
    private DocAIcheFixture Docaiche => replicated.DocAIche;

    [Fact]
    public async Task Killing_and_stopping_service_instances_under_load_loses_no_write_and_fails_no_retried_read()
    {
        using var tenant = await TenantSession.StartAsync(Docaiche);
        using var stop = new CancellationTokenSource();
        var failedReads = 0;
        var reads = 0;
        var accepted = new System.Collections.Concurrent.ConcurrentDictionary<Guid, string>();

        var reader = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                Interlocked.Increment(ref reads);
                if (!await ReadAsync(tenant.Owner) && !await ReadAsync(tenant.Owner))
                {
                    Interlocked.Increment(ref failedReads);
                }
                await Task.Delay(50, CancellationToken.None);
            }
        });
        var writer = Task.Run(async () =>
        {
            for (var n = 0; !stop.IsCancellationRequested; n++)
            {
                var name = GatewayClient.UniqueWord($"ha{n}-");
                var (id, _) = await WriteUntilAcceptedAsync(tenant.Owner, name, Guid.NewGuid().ToString());
                accepted[id] = name;
                await Task.Delay(200, CancellationToken.None);
            }
        });

        var app = Docaiche.App;
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await Task.Delay(TimeSpan.FromSeconds(3));
        // SIGKILL: the instance is gone without a word; the gateway must notice by itself.
        ResourceProcesses.Kill("documents-2");
        await app.ResourceNotifications.WaitForResourceAsync("documents-2", [KnownResourceStates.Exited, KnownResourceStates.Finished], timeout.Token);
        await Task.Delay(TimeSpan.FromSeconds(3));
        // SIGTERM: the instance drains, then stops.
        await app.ResourceCommands.ExecuteCommandAsync("search", KnownResourceCommands.StopCommand, timeout.Token);
        await Task.Delay(TimeSpan.FromSeconds(3));
        await app.ResourceCommands.ExecuteCommandAsync("documents-2", KnownResourceCommands.StartCommand, timeout.Token);
        await app.ResourceCommands.ExecuteCommandAsync("search", KnownResourceCommands.StartCommand, timeout.Token);
        await app.ResourceNotifications.WaitForResourceHealthyAsync("documents-2", timeout.Token);
        await app.ResourceNotifications.WaitForResourceHealthyAsync("search", timeout.Token);
        await Task.Delay(TimeSpan.FromSeconds(3));
        await stop.CancelAsync();
        await Task.WhenAll(reader, writer);

        Assert.True(reads > 50, $"only {reads} reads ran");
        Assert.Equal(0, failedReads);
        Assert.NotEmpty(accepted);

        var libraries = (await tenant.Owner.GetFromJsonAsync<JsonElement>("/api/v1/libraries?limit=200"))
            .GetProperty("items").EnumerateArray().Select(l => l.GetProperty("id").GetGuid()).ToList();
        Assert.All(accepted.Keys, id => Assert.Single(libraries, id));
        await Eventually.Async(
            async () => (await tenant.Owner.GetFromJsonAsync<JsonElement>("/api/v1/search/status"))
                .GetProperty("libraries").EnumerateArray().Select(l => l.GetProperty("libraryId").GetGuid()).ToList(),
            searchable => accepted.Keys.All(searchable.Contains),
            TimeSpan.FromSeconds(60), "every accepted library to reach search");
        foreach (var id in accepted.Keys)
        {
            var audited = await Eventually.Async(() => tenant.Owner.AuditRecordsForAsync(id), r => r.Count > 0, TimeSpan.FromSeconds(60), $"the audit record of {id}");
            Assert.Single(audited);
        }
    }

    [Fact]
    public async Task The_console_keeps_a_browser_on_one_instance_and_its_session_survives_losing_it()
    {
        await using var browser = await Console.ConsoleBrowser.LaunchAsync();
        Microsoft.Playwright.IPage? page = null;
        await browser.RunAsync(nameof(The_console_keeps_a_browser_on_one_instance_and_its_session_survives_losing_it), async () =>
        {
            using var tenant = await TenantSession.StartAsync(Docaiche);
            var editor = await tenant.CreateUserAsync("Eddie Editor", "editor");
            page = await browser.SignInAsync(Docaiche.GatewayAddress, editor.Email, editor.Password);

            // Through HAProxy and two gateways, every request of this browser reaches the same console instance:
            // its live page works, page after page.
            Assert.Contains(await page.Context.CookiesAsync(), cookie => cookie.Name == ".DocAIche.Console.Instance");
            foreach (var (item, heading) in new[] { ("Libraries", "Libraries"), ("Jobs", "Jobs"), ("Sources", "Sources"), ("Libraries", "Libraries") })
            {
                await Console.ConsoleBrowser.OpenAsync(page, item, heading);
            }
            await Microsoft.Playwright.Assertions.Expect(page.GetByRole(Microsoft.Playwright.AriaRole.Heading, new() { Name = "No libraries yet" })).ToBeVisibleAsync();

            // One console instance gone: the browser lands on the other, still signed in (sessions are in Redis).
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            ResourceProcesses.Kill("console-2");
            await Docaiche.App.ResourceNotifications.WaitForResourceAsync("console-2", [KnownResourceStates.Exited, KnownResourceStates.Finished], timeout.Token);
            await Task.Delay(TimeSpan.FromSeconds(3));
            await page.GotoAsync("/libraries");
            await Microsoft.Playwright.Assertions.Expect(page.GetByRole(Microsoft.Playwright.AriaRole.Heading, new() { Name = "Libraries", Level = 1 })).ToBeVisibleAsync();
            await Microsoft.Playwright.Assertions.Expect(page.GetByText("Eddie Editor")).ToBeVisibleAsync();
            await Docaiche.App.ResourceCommands.ExecuteCommandAsync("console-2", KnownResourceCommands.StartCommand, timeout.Token);
            await Docaiche.App.ResourceNotifications.WaitForResourceHealthyAsync("console-2", timeout.Token);
        }, () => page);
    }

    private static async Task<bool> ReadAsync(HttpClient client)
    {
        try
        {
            using var response = await client.GetAsync("/api/v1/search?q=availability");
            return response.IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    /// <summary>Retries one keyed write (same key) until it is accepted, as a client that must not lose it does.</summary>
    private static async Task<(Guid Id, int Attempts)> WriteUntilAcceptedAsync(HttpClient client, string name, string key)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/libraries")
                {
                    Content = JsonContent.Create(new { name, versions = new[] { "1" } }),
                    Headers = { { "Idempotency-Key", key } },
                };
                using var response = await client.SendAsync(request);
                if (response.StatusCode == HttpStatusCode.Created)
                {
                    return ((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid(), attempt);
                }
                Assert.True(attempt < 120, $"the write of {name} was not accepted after {attempt} attempts (last {response.StatusCode})");
            }
            catch (HttpRequestException) when (attempt < 120)
            {
            }
            await Task.Delay(500);
        }
    }
}
