using System.Text.Json;
using Microsoft.Playwright;

namespace DocAIche.IntegrationTests.Console;

/// <summary>
/// The admin console in a real browser: Debian's Chromium (headless) driven by Playwright, each
/// person in a browser context of their own. Only loopback is contacted: the gateway under test.
/// </summary>
public sealed class ConsoleBrowser : IAsyncDisposable
{
    /// <summary>The distribution's Chromium (<c>eng/install-servers.sh</c> installs it); DOCAICHE_CHROMIUM overrides.</summary>
    public static string ChromiumPath => Environment.GetEnvironmentVariable("DOCAICHE_CHROMIUM") ?? "/usr/bin/chromium";

    private readonly IPlaywright playwright;

    private ConsoleBrowser(IPlaywright playwright, IBrowser browser)
    {
        this.playwright = playwright;
        Browser = browser;
    }

    public IBrowser Browser { get; }

    /// <summary>What the pages of this browser wrote to their console, and their uncaught errors.</summary>
    public System.Collections.Concurrent.ConcurrentQueue<string> Messages { get; } = new();

    /// <summary>
    /// Runs a test's steps; when one fails, saves a screenshot of the page (<c>failed-{name}.png</c>)
    /// and adds what the page reported to the failure.
    /// </summary>
    public async Task RunAsync(string name, Func<Task> steps, Func<IPage?> page)
    {
        try
        {
            await steps();
        }
        catch (Exception failure) when (failure is not Xunit.Sdk.XunitException || page() is not null)
        {
            if (page() is { } current)
            {
                await ScreenshotAsync(current, $"failed-{name}");
            }
            throw new InvalidOperationException($"{failure.Message}\nThe page reported:\n{string.Join('\n', Messages.TakeLast(30))}", failure);
        }
    }

    /// <summary>Screenshots of every page the tests visit, to look at: <c>artifacts/console-screenshots</c> at the repository's root.</summary>
    public static string ScreenshotFolder { get; } = Directory.CreateDirectory(Path.Combine(RepositoryRoot(), "artifacts", "console-screenshots")).FullName;

    public static async Task<ConsoleBrowser> LaunchAsync()
    {
        Assert.True(File.Exists(ChromiumPath), $"No Chromium at {ChromiumPath}: eng/install-servers.sh installs Debian's chromium package.");
        // A live page answers within seconds even on a loaded 2-core machine; nothing here measures speed.
        Assertions.SetDefaultExpectTimeout(30_000);
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            // Nothing but the page: no background calls to Google's hosts, which this network refuses.
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"],
        });
        return new ConsoleBrowser(playwright, browser);
    }

    /// <summary>
    /// Opens the console as someone who has not signed in, signs in through DocAIche's own form, and
    /// returns on the overview page once it is live. <paramref name="bypassPagePolicy"/> lets the
    /// accessibility checker be injected into pages whose policy allows only their own scripts.
    /// </summary>
    public async Task<IPage> SignInAsync(Uri gateway, string email, string password, bool bypassPagePolicy = false, Func<string>? authenticatorCode = null)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = gateway.ToString(),
            BypassCSP = bypassPagePolicy,
            ViewportSize = new ViewportSize { Width = 1280, Height = 900 },
        });
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(30_000);
        // What the page itself reported (script errors, a lost live connection), for a failing test's message.
        page.Console += (_, message) => Messages.Enqueue($"{message.Type}: {message.Text}");
        page.PageError += (_, error) => Messages.Enqueue($"page error: {error}");
        await page.GotoAsync("/");
        // The form asks for the email first, then (no identity provider for its domain) for the password.
        await page.Locator("#email").FillAsync(email);
        await page.GetByRole(AriaRole.Button, new() { Name = "Continue" }).ClickAsync();
        await page.Locator("#password").FillAsync(password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        if (authenticatorCode is not null)
        {
            // Two-step sign-in: the authenticator app's code.
            await page.Locator("#code").FillAsync(authenticatorCode());
            await page.GetByRole(AriaRole.Button, new() { Name = "Verify" }).ClickAsync();
        }
        await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/" && new Uri(url).Authority == gateway.Authority);
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Overview", Level = 1 })).ToBeVisibleAsync();
        return page;
    }

    /// <summary>Goes to a console page by its menu link (a navigation inside the live page, as a person does).</summary>
    public static async Task OpenAsync(IPage page, string menuItem, string heading)
    {
        await page.GetByRole(AriaRole.Link, new() { Name = menuItem, Exact = true }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = heading, Level = 1 })).ToBeVisibleAsync();
    }

    /// <summary>
    /// Sets a checkbox and waits until the page shows it set. A click that lands while the component is
    /// still wiring up (its first render after data arrives) is lost, so it is clicked again until it holds.
    /// </summary>
    public static async Task SetCheckedAsync(ILocator box, bool on)
    {
        for (var attempt = 0; attempt < 10 && await box.IsCheckedAsync() != on; attempt++)
        {
            await box.ClickAsync();
            try
            {
                await (on ? Assertions.Expect(box).ToBeCheckedAsync(new() { Timeout = 1000 }) : Assertions.Expect(box).Not.ToBeCheckedAsync(new() { Timeout = 1000 }));
            }
            catch (PlaywrightException)
            {
                // Not seen yet: the loop looks again and clicks if it is still not set.
            }
        }
        await (on ? Assertions.Expect(box).ToBeCheckedAsync() : Assertions.Expect(box).Not.ToBeCheckedAsync());
    }

    /// <summary>
    /// Chooses a file in a Blazor <c>InputFile</c>. The component wires its change listener from the
    /// server after its first render; a file set before that is never seen, so this waits for the wiring
    /// (the field Blazor's script sets on the element when it does) and then chooses the file.
    /// </summary>
    public static async Task ChooseFileAsync(ILocator input, FilePayload file)
    {
        await Assertions.Expect(input).ToBeAttachedAsync();
        await input.Page.WaitForFunctionAsync(
            "element => element !== null && element._blazorInputFileNextFileId !== undefined", await input.ElementHandleAsync());
        await input.SetInputFilesAsync(file);
    }

    public static Task ScreenshotAsync(IPage page, string name) =>
        page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotFolder, $"{name}.png"), FullPage = true });

    /// <summary>
    /// axe-core (from npm, <c>Console/axe</c>) run in the page: the violations of serious or critical
    /// impact, as "rule: help (elements)" lines.
    /// </summary>
    public static async Task<List<string>> SeriousAccessibilityViolationsAsync(IPage page)
    {
        var axe = Path.Combine(RepositoryRoot(), "tests", "DocAIche.IntegrationTests", "Console", "axe", "node_modules", "axe-core", "axe.min.js");
        Assert.True(File.Exists(axe), $"axe-core is not installed at {axe}: ./test.sh runs npm ci there.");
        await page.AddScriptTagAsync(new PageAddScriptTagOptions { Path = axe });
        var violations = await page.EvaluateAsync<JsonElement>("""
            async () => (await axe.run(document, { resultTypes: ['violations'] })).violations
                .filter(v => v.impact === 'serious' || v.impact === 'critical')
                .map(v => `${v.id} (${v.impact}): ${v.help} [${v.nodes.slice(0, 3).map(n => n.target.join(' ')).join('; ')}]`)
            """);
        return [.. violations.EnumerateArray().Select(v => v.GetString()!)];
    }

    private static string RepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "DocAIche.sln")))
            {
                return folder.FullName;
            }
        }
        throw new InvalidOperationException("The repository's root (DocAIche.sln) is not above the test's folder.");
    }

    public async ValueTask DisposeAsync()
    {
        await Browser.DisposeAsync();
        playwright.Dispose();
    }
}
