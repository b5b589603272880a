using static DocAIche.IntegrationTests.Support.Archives;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using DocAIche.IntegrationTests.Support;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace DocAIche.IntegrationTests.Console;

/// <summary>
/// The admin console as its users meet it, in headless Chromium: signing in through DocAIche's form,
/// the empty state of a new tenant, libraries, the search playground, API keys, what a viewer may
/// not do, signing out, and axe-core's accessibility rules on every page.
/// </summary>
[Collection(DocAIcheCollection.Name)]
public sealed class ConsoleTests(DocAIcheFixture docaiche) : IAsyncLifetime
{
    private ConsoleBrowser browser = null!;

    public async Task InitializeAsync() => browser = await ConsoleBrowser.LaunchAsync();

    public async Task DisposeAsync() => await browser.DisposeAsync();

    [Fact]
    public async Task A_new_tenant_signs_in_through_the_form_and_is_told_to_add_a_first_library()
    {
        IPage? page = null;
        await browser.RunAsync(nameof(A_new_tenant_signs_in_through_the_form_and_is_told_to_add_a_first_library), async () =>
        {
            using var tenant = await TenantSession.StartAsync(docaiche);
            var admin = await tenant.CreateUserAsync("Ada Admin", "admin");

            page = await browser.SignInAsync(docaiche.GatewayAddress, admin.Email, admin.Password);

            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Add your first library" })).ToBeVisibleAsync();
            await Expect(page.GetByText("Ada Admin")).ToBeVisibleAsync();
            await ConsoleBrowser.ScreenshotAsync(page, "overview-new-tenant");
        }, () => page);
    }

    [Fact]
    public async Task An_editor_creates_a_library_and_sees_the_problem_when_the_name_is_taken()
    {
        IPage? page = null;
        await browser.RunAsync(nameof(An_editor_creates_a_library_and_sees_the_problem_when_the_name_is_taken), async () =>
        {
            using var tenant = await TenantSession.StartAsync(docaiche);
            var editor = await tenant.CreateUserAsync("Eddie Editor", "editor");
            var name = GatewayClient.UniqueWord("console").ToLowerInvariant();
            page = await browser.SignInAsync(docaiche.GatewayAddress, editor.Email, editor.Password);
            await ConsoleBrowser.OpenAsync(page, "Libraries", "Libraries");

            await page.Locator("#library-name input").FillAsync(name);
            await page.Locator("#library-versions input").FillAsync("1.0, 2.0");
            await page.Locator("#create-library").ClickAsync();
            await Expect(page.GetByRole(AriaRole.Gridcell, new() { Name = name, Exact = true })).ToBeVisibleAsync();
            await Expect(page.GetByRole(AriaRole.Gridcell, new() { NameRegex = new Regex(@"^(1\.0, 2\.0|2\.0, 1\.0)$") })).ToBeVisibleAsync();

            // The API refuses a second library of the same name; the page says why, in the API's words.
            await page.Locator("#library-name input").FillAsync(name);
            await page.Locator("#create-library").ClickAsync();
            await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync(new Regex("already has a library", RegexOptions.IgnoreCase));
            await ConsoleBrowser.ScreenshotAsync(page, "libraries");

            var libraries = await tenant.Owner.GetStringAsync("/api/v1/libraries?limit=200");
            Assert.Single(Regex.Matches(libraries, $"\"name\":\"{name}\""));

            // Its versions and description change later; deleting a version is confirmed first.
            await page.GetByRole(AriaRole.Button, new() { Name = $"Manage {name}" }).ClickAsync();
            await page.Locator("#new-version input").FillAsync("3.0");
            await page.Locator("#add-version").ClickAsync();
            await Expect(page.GetByRole(AriaRole.Button, new() { Name = $"Delete version 3.0 of {name}" })).ToBeVisibleAsync();
            await page.GetByRole(AriaRole.Button, new() { Name = $"Delete version 1.0 of {name}" }).ClickAsync();
            await page.GetByRole(AriaRole.Button, new() { Name = "Delete", Exact = true }).ClickAsync();
            await Expect(page.GetByRole(AriaRole.Button, new() { Name = $"Delete version 1.0 of {name}" })).ToHaveCountAsync(0);
            await page.Locator("#manage-description input").FillAsync("Docs of the console test");
            await page.Locator("#save-library").ClickAsync();
            await Expect(page.Locator("#library-saved")).ToContainTextAsync("Saved");
            await Expect(page.GetByRole(AriaRole.Gridcell, new() { NameRegex = new Regex(@"^(2\.0, 3\.0|3\.0, 2\.0)$") })).ToBeVisibleAsync();
            await ConsoleBrowser.ScreenshotAsync(page, "libraries-manage");
            var library = (await tenant.Owner.GetFromJsonAsync<System.Text.Json.JsonElement>("/api/v1/libraries?limit=200", GatewayClient.Json))
                .GetProperty("items").EnumerateArray().Single(l => l.GetProperty("name").GetString() == name);
            Assert.Equal("Docs of the console test", library.GetProperty("description").GetString());
            Assert.Equal(["2.0", "3.0"], library.GetProperty("versions").EnumerateArray().Select(v => v.GetString()!).Order().ToArray());
        }, () => page);
    }

    [Fact]
    public async Task The_search_playground_finds_a_stored_page_and_shows_its_text_as_text()
    {
        IPage? page = null;
        await browser.RunAsync(nameof(The_search_playground_finds_a_stored_page_and_shows_its_text_as_text), async () =>
        {
            using var tenant = await TenantSession.StartAsync(docaiche);
            var word = GatewayClient.UniqueWord("playground");
            await tenant.Owner.StoreDocumentAsync("Proxy settings", $"# Proxy settings\n\nThe {word} option sets the proxy. <script>window.pwned = true</script>\n");
            await Eventually.Async(() => tenant.Owner.SearchAsync(word), found => found.Results.Count > 0, TimeSpan.FromSeconds(60), "the page to be searchable");
            var viewer = await tenant.CreateUserAsync("Vera Viewer", "viewer");
            page = await browser.SignInAsync(docaiche.GatewayAddress, viewer.Email, viewer.Password);
            await ConsoleBrowser.OpenAsync(page, "Search", "Search");

            await page.Locator("#search-query input").FillAsync(word);
            await page.Locator("#search-run").ClickAsync();

            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Proxy settings", Level = 2 })).ToBeVisibleAsync();
            await Expect(page.Locator(".result-snippet").First).ToContainTextAsync(word);
            Assert.Null(await page.EvaluateAsync<bool?>("() => window.pwned"));
            await ConsoleBrowser.ScreenshotAsync(page, "search");
        }, () => page);
    }

    [Fact]
    public async Task An_editor_adds_an_upload_source_drops_a_zip_and_watches_its_job_succeed_live()
    {
        IPage? page = null;
        await browser.RunAsync(nameof(An_editor_adds_an_upload_source_drops_a_zip_and_watches_its_job_succeed_live), async () =>
        {
            using var tenant = await TenantSession.StartAsync(docaiche);
            var library = await tenant.Owner.CreateLibraryAsync(GatewayClient.UniqueWord("uploaded").ToLowerInvariant(), ["1.0"]);
            var word = GatewayClient.UniqueWord("zipped");
            var editor = await tenant.CreateUserAsync("Eddie Editor", "editor");
            page = await browser.SignInAsync(docaiche.GatewayAddress, editor.Email, editor.Password);

            // One tab follows the jobs; it is never reloaded, so whatever appears there came live.
            await ConsoleBrowser.OpenAsync(page, "Jobs", "Jobs");
            await Expect(page.Locator("#live-state")).ToHaveAttributeAsync("data-state", "live");
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "No jobs yet" })).ToBeVisibleAsync();
            await page.EvaluateAsync("() => window.sameDocument = true");

            // In another tab: a new upload source, and a zip dropped on it.
            var sources = await page.Context.NewPageAsync();
            await sources.GotoAsync("/sources");
            await Expect(sources.GetByRole(AriaRole.Heading, new() { Name = "No sources yet" })).ToBeVisibleAsync();
            await sources.Locator("#create-source").ClickAsync();
            await Expect(sources.GetByRole(AriaRole.Heading, new() { Name = $"Upload to {library.Name} 1.0" })).ToBeVisibleAsync();
            await ConsoleBrowser.ChooseFileAsync(sources.Locator("#upload-file"), new FilePayload
            {
                Name = "docs.zip",
                MimeType = "application/zip",
                Buffer = Zip(("guide/install.md", $"# Installing\n\nRun the {word} installer, then sign in.\n"),
                    ("guide/configure.md", "# Configuring\n\nSet the proxy in the settings file.\n")),
            });
            await Expect(sources.Locator("#job-state")).ToHaveAttributeAsync("data-state", "succeeded", new() { Timeout = 120_000 });
            await Expect(sources.Locator("#job-state")).ToContainTextAsync("2 documents changed");
            await ConsoleBrowser.ScreenshotAsync(sources, "sources-upload-succeeded");

            var job = page.Locator(".job-state");
            await Expect(job).ToHaveAttributeAsync("data-state", "succeeded", new() { Timeout = 60_000 });
            await Expect(page.Locator(".job-progress")).ToContainTextAsync("2 documents changed");
            Assert.True(await page.EvaluateAsync<bool>("() => window.sameDocument === true"), "the jobs page was reloaded");
            await ConsoleBrowser.ScreenshotAsync(page, "jobs-live");

            // The pages are in the library, chunked: the documents page shows them.
            await ConsoleBrowser.OpenAsync(page, "Documents", "Documents");
            await page.GetByRole(AriaRole.Link, new() { Name = "Installing", Exact = true }).ClickAsync();
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Installing", Level = 1 })).ToBeVisibleAsync();
            await Expect(page.Locator(".chunk-content").First).ToContainTextAsync(word);
            await ConsoleBrowser.ScreenshotAsync(page, "document-chunks");

            // And search finds them.
            await Eventually.Async(() => tenant.Owner.SearchAsync(word), found => found.Results.Count > 0, TimeSpan.FromSeconds(60), "the uploaded page to be searchable");
        }, () => page);
    }

    [Fact]
    public async Task An_auditor_reads_the_trail_verifies_the_chain_exports_it_and_sees_alerts_live()
    {
        IPage? page = null;
        await browser.RunAsync(nameof(An_auditor_reads_the_trail_verifies_the_chain_exports_it_and_sees_alerts_live), async () =>
        {
            using var tenant = await TenantSession.StartAsync(docaiche);
            var library = await tenant.Owner.CreateLibraryAsync(GatewayClient.UniqueWord("audited").ToLowerInvariant(), ["1"]);
            await Eventually.Async(() => tenant.Owner.GetStringAsync("/api/v1/audit/records?action=library.created"),
                records => records.Contains(library.Id.ToString(), StringComparison.Ordinal), TimeSpan.FromSeconds(60), "the library's audit record");
            var auditor = await tenant.CreateUserAsync("Audrey Auditor", "auditor");
            page = await browser.SignInAsync(docaiche.GatewayAddress, auditor.Email, auditor.Password);

            // An auditor reads the trail, not the documentation: the console offers only what the API allows.
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Review your tenant's activity" })).ToBeVisibleAsync();
            await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Libraries", Exact = true })).ToHaveCountAsync(0);

            await ConsoleBrowser.OpenAsync(page, "Audit trail", "Audit trail");
            await page.Locator("#audit-action input").FillAsync("library.created");
            await page.Locator("#audit-apply").ClickAsync();
            await Expect(page.GetByRole(AriaRole.Gridcell, new() { Name = $"library {library.Id}" })).ToBeVisibleAsync();

            await page.Locator("#verify-chain").ClickAsync();
            await Expect(page.Locator("#verification")).ToHaveAttributeAsync("data-verified", "true");
            await Expect(page.Locator("#verification")).ToContainTextAsync("records checked");
            await ConsoleBrowser.ScreenshotAsync(page, "audit-verified");

            var download = await page.RunAndWaitForDownloadAsync(() => page.GetByRole(AriaRole.Link, new() { Name = "Export CSV" }).ClickAsync());
            var csv = await File.ReadAllTextAsync((await download.PathAsync())!);
            Assert.StartsWith("id,sequence,occurredAt", csv, StringComparison.Ordinal);
            Assert.Contains(library.Id.ToString(), csv, StringComparison.Ordinal);
            Assert.DoesNotContain("library.version_added", csv, StringComparison.Ordinal);

            // Security alerts, live: repeated failed sign-ins of one account appear without a reload.
            await ConsoleBrowser.OpenAsync(page, "Security alerts", "Security alerts");
            await Expect(page.Locator("#live-state")).ToHaveAttributeAsync("data-state", "live");
            var target = await tenant.CreateUserAsync("Tess Target", "viewer");
            for (var i = 0; i < 3; i++)
            {
                await OidcTestClient.TrySignInAsync(docaiche.GatewayAddress, target.Email, "not the password");
            }
            await Expect(page.GetByRole(AriaRole.Gridcell, new() { Name = target.Subject, Exact = true })).ToBeVisibleAsync(new() { Timeout = 60_000 });
            await Expect(page.Locator(".alert-kind").First).ToHaveTextAsync("failed-sign-ins.account");
            await ConsoleBrowser.ScreenshotAsync(page, "alerts-live");
        }, () => page);
    }

    [Fact]
    public async Task An_admin_adds_a_user_changes_their_roles_and_disables_them()
    {
        IPage? page = null;
        await browser.RunAsync(nameof(An_admin_adds_a_user_changes_their_roles_and_disables_them), async () =>
        {
            using var tenant = await TenantSession.StartAsync(docaiche);
            var admin = await tenant.CreateUserAsync("Ada Admin", "admin");
            var email = $"{GatewayClient.UniqueWord("nina").ToLowerInvariant()}@example.com";
            page = await browser.SignInAsync(docaiche.GatewayAddress, admin.Email, admin.Password);
            await ConsoleBrowser.OpenAsync(page, "Users", "Users");

            await page.Locator("#user-email input").FillAsync(email);
            await page.Locator("#user-name input").FillAsync("Nina New");
            await page.Locator("#user-password input").FillAsync("a first password of length");
            await ConsoleBrowser.SetCheckedAsync(page.Locator("#user-roles").GetByRole(AriaRole.Checkbox, new() { Name = "editor" }), true);
            await page.Locator("#create-user").ClickAsync();
            await Expect(page.GetByRole(AriaRole.Gridcell, new() { Name = email, Exact = true })).ToBeVisibleAsync();

            await page.GetByRole(AriaRole.Button, new() { Name = "Change the roles of Nina New" }).ClickAsync();
            var editRoles = page.Locator("#edit-user-roles");
            await ConsoleBrowser.SetCheckedAsync(editRoles.GetByRole(AriaRole.Checkbox, new() { Name = "viewer" }), false);
            await ConsoleBrowser.SetCheckedAsync(editRoles.GetByRole(AriaRole.Checkbox, new() { Name = "editor" }), false);
            await ConsoleBrowser.SetCheckedAsync(editRoles.GetByRole(AriaRole.Checkbox, new() { Name = "auditor" }), true);
            await page.Locator("#save-roles").ClickAsync();
            await Expect(page.GetByRole(AriaRole.Gridcell, new() { Name = "auditor", Exact = true })).ToBeVisibleAsync();

            await page.GetByRole(AriaRole.Button, new() { Name = "Disable Nina New" }).ClickAsync();
            await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Enable Nina New" })).ToBeVisibleAsync();
            await ConsoleBrowser.ScreenshotAsync(page, "users");

            // What the page did is what the API holds.
            var users = await tenant.Owner.GetFromJsonAsync<List<System.Text.Json.JsonElement>>("/api/v1/users", GatewayClient.Json);
            var nina = Assert.Single(users!, u => u.GetProperty("email").GetString() == email);
            Assert.Equal("auditor", string.Join(",", nina.GetProperty("roles").EnumerateArray().Select(r => r.GetString())));
            Assert.True(nina.GetProperty("disabled").GetBoolean());

            // Nobody can take their own admin rights away by accident: no actions on one's own row.
            await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Disable Ada Admin" })).ToHaveCountAsync(0);
        }, () => page);
    }

    [Fact]
    public async Task A_machine_client_secret_is_shown_once_and_gets_a_token()
    {
        IPage? page = null;
        await browser.RunAsync(nameof(A_machine_client_secret_is_shown_once_and_gets_a_token), async () =>
        {
            using var tenant = await TenantSession.StartAsync(docaiche);
            var admin = await tenant.CreateUserAsync("Ada Admin", "admin");
            page = await browser.SignInAsync(docaiche.GatewayAddress, admin.Email, admin.Password);
            await ConsoleBrowser.OpenAsync(page, "Clients", "Clients");
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "No clients yet" })).ToBeVisibleAsync();

            await page.Locator("#client-name input").FillAsync("nightly-sync");
            await page.Locator("#create-client").ClickAsync();
            var clientId = (await page.Locator("#new-client-id").TextContentAsync())!.Trim();
            var secret = (await page.Locator("#new-client-secret").TextContentAsync())!.Trim();
            await ConsoleBrowser.ScreenshotAsync(page, "clients-created");

            using var gateway = new HttpClient { BaseAddress = docaiche.GatewayAddress };
            Assert.NotNull(await OidcTestClient.ClientCredentialsAsync(gateway, clientId, secret));

            await page.ReloadAsync();
            await Expect(page.GetByRole(AriaRole.Gridcell, new() { Name = clientId, Exact = true })).ToBeVisibleAsync();
            Assert.DoesNotContain(secret, await page.ContentAsync(), StringComparison.Ordinal);
        }, () => page);
    }

    [Fact]
    public async Task An_admin_sets_up_single_sign_on_and_a_person_of_the_domain_then_signs_in_at_the_provider()
    {
        IPage? page = null;
        await browser.RunAsync(nameof(An_admin_sets_up_single_sign_on_and_a_person_of_the_domain_then_signs_in_at_the_provider), async () =>
        {
            await using var provider = await TestIdentityProvider.StartAsync();
            using var tenant = await TenantSession.StartAsync(docaiche);
            var admin = await tenant.CreateUserAsync("Ada Admin", "admin");
            page = await browser.SignInAsync(docaiche.GatewayAddress, admin.Email, admin.Password);
            await ConsoleBrowser.OpenAsync(page, "Single sign-on", "Single sign-on");

            var domain = $"{tenant.TenantId}.docaiche.local";
            await page.Locator("#sso-name input").FillAsync("Test Workspace");
            await page.Locator("#sso-authority input").FillAsync(provider.Authority);
            await page.Locator("#sso-client-id input").FillAsync(provider.ClientId);
            await page.Locator("#sso-client-secret input").FillAsync(provider.ClientSecret);
            await page.Locator("#sso-domains input").FillAsync(domain);
            await page.Locator("#sso-groups textarea").FillAsync("docs-team: editor\nhelpdesk: viewer");
            await page.Locator("#sso-save").ClickAsync();
            var redirectUri = (await page.Locator("#sso-redirect-uri").TextContentAsync())!.Trim();
            Assert.Equal($"{docaiche.GatewayAddress.ToString().TrimEnd('/')}/account/sso/callback", redirectUri);
            await ConsoleBrowser.ScreenshotAsync(page, "single-sign-on-saved");

            await page.ReloadAsync();
            await Expect(page.Locator("#sso-domains input")).ToHaveValueAsync(domain);
            Assert.DoesNotContain(provider.ClientSecret, await page.ContentAsync(), StringComparison.Ordinal);

            provider.RedirectUri = redirectUri;
            provider.NextAccount = new ProviderAccount("heidi-1", $"heidi@{domain}", "Heidi", "docs-team");
            var signedIn = await OidcTestClient.FederatedSignInAsync(docaiche.GatewayAddress, $"heidi@{domain}");
            Assert.True(signedIn.Tokens is not null, $"{signedIn.Status}: {signedIn.Page}");
        }, () => page);
    }

    [Fact]
    public async Task A_person_turns_on_two_step_sign_in_and_signs_in_with_the_apps_code_after_that()
    {
        IPage? page = null;
        await browser.RunAsync(nameof(A_person_turns_on_two_step_sign_in_and_signs_in_with_the_apps_code_after_that), async () =>
        {
            using var tenant = await TenantSession.StartAsync(docaiche);
            var viewer = await tenant.CreateUserAsync("Vera Viewer", "viewer");
            page = await browser.SignInAsync(docaiche.GatewayAddress, viewer.Email, viewer.Password);
            await ConsoleBrowser.OpenAsync(page, "Two-step sign-in", "Two-step sign-in");

            await page.Locator("#mfa-begin").ClickAsync();
            var secret = (await page.Locator("#mfa-secret").TextContentAsync())!.Trim();
            await Expect(page.GetByRole(AriaRole.Img, new() { Name = "QR code for your authenticator app" })).ToBeVisibleAsync();
            var app = new OtpNet.Totp(OtpNet.Base32Encoding.ToBytes(secret));
            await page.Locator("#mfa-code input").FillAsync(app.ComputeTotp());
            await page.Locator("#mfa-confirm").ClickAsync();
            await Expect(page.Locator("#mfa-recovery-codes li")).ToHaveCountAsync(10);
            await Expect(page.Locator("#mfa-on")).ToContainTextAsync("10 recovery codes left");
            await ConsoleBrowser.ScreenshotAsync(page, "two-step-on");

            // The next sign-in asks for the app's code after the password (the next time step's: a code works once).
            var again = await browser.SignInAsync(docaiche.GatewayAddress, viewer.Email, viewer.Password,
                authenticatorCode: () => app.ComputeTotp(DateTime.UtcNow.AddSeconds(30)));
            await Expect(again.GetByRole(AriaRole.Button, new() { Name = "Sign out" })).ToBeVisibleAsync();
        }, () => page);
    }

    [Fact]
    public async Task An_auditor_sees_search_usage_and_documentation_gaps_and_downloads_the_access_review()
    {
        IPage? page = null;
        await browser.RunAsync(nameof(An_auditor_sees_search_usage_and_documentation_gaps_and_downloads_the_access_review), async () =>
        {
            using var tenant = await TenantSession.StartAsync(docaiche);
            var gap = GatewayClient.UniqueWord("undocumented").ToLowerInvariant();
            Assert.Empty((await tenant.Owner.SearchAsync(gap)).Results);
            await Eventually.Async(async () => (await tenant.Owner.GetFromJsonAsync<System.Text.Json.JsonElement>("/api/v1/usage/queries?zeroResults=true")).GetArrayLength(),
                n => n > 0, TimeSpan.FromSeconds(60), "the search metered");
            var auditor = await tenant.CreateUserAsync("Aud Itor", "auditor");
            page = await browser.SignInAsync(docaiche.GatewayAddress, auditor.Email, auditor.Password);
            await ConsoleBrowser.OpenAsync(page, "Usage and reports", "Usage and reports");

            await Expect(page.Locator("#gaps-grid").GetByRole(AriaRole.Gridcell, new() { Name = gap, Exact = true })).ToBeVisibleAsync();
            await Expect(page.Locator("#usage-grid").GetByRole(AriaRole.Gridcell, new() { Name = DateTime.UtcNow.ToString("yyyy-MM-dd"), Exact = true })).ToBeVisibleAsync();
            await ConsoleBrowser.ScreenshotAsync(page, "usage");

            var download = await page.RunAndWaitForDownloadAsync(() => page.GetByRole(AriaRole.Link, new() { Name = "people" }).ClickAsync());
            var csv = await File.ReadAllTextAsync((await download.PathAsync())!);
            Assert.StartsWith("id,email,display_name,roles", csv, StringComparison.Ordinal);
            Assert.Contains(auditor.Email, csv, StringComparison.Ordinal);
        }, () => page);
    }

    [Fact]
    public async Task The_health_page_shows_every_service_healthy()
    {
        IPage? page = null;
        await browser.RunAsync(nameof(The_health_page_shows_every_service_healthy), async () =>
        {
            using var tenant = await TenantSession.StartAsync(docaiche);
            var admin = await tenant.CreateUserAsync("Ada Admin", "admin");
            page = await browser.SignInAsync(docaiche.GatewayAddress, admin.Email, admin.Password);
            await ConsoleBrowser.OpenAsync(page, "Health", "Health");

            await Expect(page.Locator("#overall")).ToHaveAttributeAsync("data-status", "healthy");
            foreach (var service in new[] { "identity", "documents", "search", "audit", "websocket", "gateway" })
            {
                await Expect(page.GetByRole(AriaRole.Gridcell, new() { Name = service, Exact = true })).ToBeVisibleAsync();
            }
            await ConsoleBrowser.ScreenshotAsync(page, "health");
        }, () => page);
    }

    [Fact]
    public async Task An_admin_exports_a_persons_data_and_downloads_it_when_every_service_has_answered()
    {
        IPage? page = null;
        await browser.RunAsync(nameof(An_admin_exports_a_persons_data_and_downloads_it_when_every_service_has_answered), async () =>
        {
            using var tenant = await TenantSession.StartAsync(docaiche);
            var admin = await tenant.CreateUserAsync("Ada Admin", "admin");
            var person = await tenant.CreateUserAsync("Pat Person", "viewer");
            page = await browser.SignInAsync(docaiche.GatewayAddress, admin.Email, admin.Password);
            await ConsoleBrowser.OpenAsync(page, "Privacy", "Privacy");
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "No privacy requests yet" })).ToBeVisibleAsync();

            await page.Locator("#privacy-subject").ClickAsync();
            await page.GetByRole(AriaRole.Option, new() { Name = $"Pat Person ({person.Email})" }).ClickAsync();
            await page.Locator("#request-export").ClickAsync();

            // Followed on the page until every service has answered, then offered as a download.
            await Expect(page.Locator(".privacy-state")).ToHaveAttributeAsync("data-state", "completed", new() { Timeout = 60_000 });
            await ConsoleBrowser.ScreenshotAsync(page, "privacy-export-completed");
            var download = await page.RunAndWaitForDownloadAsync(() =>
                page.GetByRole(AriaRole.Link, new() { Name = $"Download the export of Pat Person ({person.Email})" }).ClickAsync());
            var bundle = await File.ReadAllTextAsync((await download.PathAsync())!);
            Assert.Contains($"\"subjectId\": \"{person.Subject}\"", bundle, StringComparison.Ordinal);
            Assert.Contains(person.Email, bundle, StringComparison.Ordinal);
        }, () => page);
    }

    [Fact]
    public async Task An_operator_creates_a_tenant_whose_owner_can_sign_in_and_a_tenant_admin_sees_no_tenants()
    {
        IPage? page = null;
        await browser.RunAsync(nameof(An_operator_creates_a_tenant_whose_owner_can_sign_in_and_a_tenant_admin_sees_no_tenants), async () =>
        {
            page = await browser.SignInAsync(docaiche.GatewayAddress, DocAIcheFixture.OwnerEmail, docaiche.OwnerPassword);
            await ConsoleBrowser.OpenAsync(page, "Tenants", "Tenants");
            var id = GatewayClient.UniqueWord("acme").ToLowerInvariant();
            var email = $"owner@{id}.example.com";
            var password = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(18));

            await page.Locator("#tenant-id input").FillAsync(id);
            await page.Locator("#tenant-name input").FillAsync("Acme Corp");
            await page.Locator("#tenant-owner-email input").FillAsync(email);
            await page.Locator("#tenant-owner-password input").FillAsync(password);
            await page.Locator("#create-tenant").ClickAsync();
            await Expect(page.Locator("#tenant-created")).ToContainTextAsync(id);
            await Expect(page.GetByRole(AriaRole.Gridcell, new() { Name = id, Exact = true })).ToBeVisibleAsync();
            await ConsoleBrowser.ScreenshotAsync(page, "tenants");

            // The operator limits the new tenant: three libraries, 1,000 searches a day.
            await page.GetByRole(AriaRole.Button, new() { Name = $"Quotas of {id}" }).ClickAsync();
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Quotas of Acme Corp" })).ToBeVisibleAsync();
            await page.Locator("#quota-libraries input").FillAsync("3");
            await page.Locator("#quota-searches input").FillAsync("1000");
            await page.Locator("#save-quotas").ClickAsync();
            await Expect(page.Locator("#quotas-saved")).ToBeVisibleAsync();
            var set = await docaiche.Gateway.GetFromJsonAsync<System.Text.Json.JsonElement>($"/api/v1/tenants/{id}/quotas");
            Assert.Equal(3, set.GetProperty("libraries").GetInt64());
            Assert.Equal(1000, set.GetProperty("searchesPerDay").GetInt64());
            Assert.Equal(System.Text.Json.JsonValueKind.Null, set.GetProperty("documents").ValueKind);

            // The new owner signs in to an empty tenant of their own, and is no operator.
            var owner = await browser.SignInAsync(docaiche.GatewayAddress, email, password);
            await Expect(owner.GetByRole(AriaRole.Heading, new() { Name = "Add your first library" })).ToBeVisibleAsync();
            await Expect(owner.GetByRole(AriaRole.Link, new() { Name = "Tenants", Exact = true })).ToHaveCountAsync(0);
            await owner.GotoAsync("/tenants");
            await Expect(owner.GetByRole(AriaRole.Heading, new() { Name = "Not for your role" })).ToBeVisibleAsync();

            // The owner sees the tenant's quotas and what it used on the usage page.
            await ConsoleBrowser.OpenAsync(owner, "Usage and reports", "Usage and reports");
            await Expect(owner.Locator("#quota-list")).ToContainTextAsync("Libraries: 3");
            await Expect(owner.Locator("#quota-list")).ToContainTextAsync("Searches a day: 1,000");
            await Expect(owner.Locator("#usage-totals")).ToContainTextAsync("Ingestion jobs");
            await ConsoleBrowser.ScreenshotAsync(owner, "usage-quotas");
        }, () => page);
    }

    [Fact]
    public async Task An_editor_adds_a_website_source_that_is_read_at_once_then_schedules_it()
    {
        IPage? page = null;
        await using var site = await LoopbackWebsite.StartAsync();
        await browser.RunAsync(nameof(An_editor_adds_a_website_source_that_is_read_at_once_then_schedules_it), async () =>
        {
            var word = GatewayClient.UniqueWord("crawled");
            site.Set("/guide/", new WebPage($"<html><head><title>Guide</title></head><body><main><h1>Guide</h1><p>The {word} setting.</p></main></body></html>"));
            using var tenant = await TenantSession.StartAsync(docaiche);
            var library = await tenant.Owner.CreateLibraryAsync(GatewayClient.UniqueWord("site").ToLowerInvariant(), ["2"]);
            var editor = await tenant.CreateUserAsync("Eddie Editor", "editor");
            page = await browser.SignInAsync(docaiche.GatewayAddress, editor.Email, editor.Password);
            await ConsoleBrowser.OpenAsync(page, "Sources", "Sources");

            await page.Locator("#source-kind").ClickAsync();
            await page.GetByRole(AriaRole.Option, new() { Name = "Website" }).ClickAsync();
            await page.Locator("#source-url input").FillAsync(new Uri(site.Address, "/guide/").ToString());
            await page.Locator("#create-source").ClickAsync();
            await Expect(page.Locator("#job-state")).ToHaveAttributeAsync("data-state", "succeeded", new() { Timeout = 120_000 });

            // A schedule the API does not take is refused in its words, and nothing changes.
            await page.GetByRole(AriaRole.Button, new() { Name = $"Settings of the website source of {library.Name} 2" }).ClickAsync();
            await page.Locator("#edit-schedule input").FillAsync("every night");
            await page.Locator("#save-source").ClickAsync();
            await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("schedule");
            await page.Locator("#edit-schedule input").FillAsync("0 3 * * *");
            await page.Locator("#edit-max-pages input").FillAsync("10");
            await page.Locator("#save-source").ClickAsync();
            await Expect(page.GetByRole(AriaRole.Gridcell, new() { Name = "0 3 * * *", Exact = true })).ToBeVisibleAsync();
            await ConsoleBrowser.ScreenshotAsync(page, "sources-website");

            var sources = await tenant.Owner.GetFromJsonAsync<System.Text.Json.JsonElement>("/api/v1/sources", GatewayClient.Json);
            var source = Assert.Single(sources.GetProperty("items").EnumerateArray());
            Assert.Equal("0 3 * * *", source.GetProperty("schedule").GetString());
            Assert.Equal(10, source.GetProperty("website").GetProperty("maxPages").GetInt32());
            Assert.Equal(2, source.GetProperty("website").GetProperty("concurrency").GetInt32());
            await Eventually.Async(() => tenant.Owner.SearchAsync(word), found => found.Results.Count > 0, TimeSpan.FromSeconds(60), "the crawled page to be searchable");
        }, () => page);
    }

    [Fact]
    public async Task A_new_API_key_is_shown_once_and_works_at_the_gateway()
    {
        IPage? page = null;
        await browser.RunAsync(nameof(A_new_API_key_is_shown_once_and_works_at_the_gateway), async () =>
        {
            using var tenant = await TenantSession.StartAsync(docaiche);
            var admin = await tenant.CreateUserAsync("Ada Admin", "admin");
            page = await browser.SignInAsync(docaiche.GatewayAddress, admin.Email, admin.Password);
            await ConsoleBrowser.OpenAsync(page, "API keys", "API keys");

            await page.Locator("#key-name input").FillAsync("ci-agent");
            await page.Locator("#create-key").ClickAsync();
            var secret = (await page.Locator("#new-key-secret").TextContentAsync())!.Trim();
            await ConsoleBrowser.ScreenshotAsync(page, "api-keys-created");

            using var agent = new HttpClient { BaseAddress = docaiche.GatewayAddress, DefaultRequestHeaders = { { "X-Api-Key", secret } } };
            using var answer = await agent.GetAsync("/api/v1/libraries");
            Assert.True(answer.IsSuccessStatusCode, $"the new key was refused: {(int)answer.StatusCode}");

            // Shown once: back on the page, the list names the key but nothing shows its secret.
            await page.ReloadAsync();
            await Expect(page.GetByRole(AriaRole.Gridcell, new() { Name = "ci-agent", Exact = true })).ToBeVisibleAsync();
            await Expect(page.Locator("#new-key-secret")).ToHaveCountAsync(0);
            Assert.DoesNotContain(secret, await page.ContentAsync(), StringComparison.Ordinal);
        }, () => page);
    }

    [Fact]
    public async Task A_viewer_sees_the_libraries_but_no_action_that_changes_them()
    {
        IPage? page = null;
        await browser.RunAsync(nameof(A_viewer_sees_the_libraries_but_no_action_that_changes_them), async () =>
        {
            using var tenant = await TenantSession.StartAsync(docaiche);
            var library = await tenant.Owner.CreateLibraryAsync(GatewayClient.UniqueWord("viewed").ToLowerInvariant(), ["1"]);
            var viewer = await tenant.CreateUserAsync("Vera Viewer", "viewer");
            page = await browser.SignInAsync(docaiche.GatewayAddress, viewer.Email, viewer.Password);

            await ConsoleBrowser.OpenAsync(page, "Libraries", "Libraries");

            await Expect(page.GetByRole(AriaRole.Gridcell, new() { Name = library.Name, Exact = true })).ToBeVisibleAsync();
            await Expect(page.Locator("#create-library")).ToHaveCountAsync(0);
            await Expect(page.GetByRole(AriaRole.Button, new() { Name = $"Delete {library.Name}" })).ToHaveCountAsync(0);
            await ConsoleBrowser.ScreenshotAsync(page, "libraries-viewer");

            // No sources to create, no audit trail: neither offered nor reachable by address.
            await ConsoleBrowser.OpenAsync(page, "Sources", "Sources");
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "No sources yet" })).ToBeVisibleAsync();
            await Expect(page.Locator("#create-source")).ToHaveCountAsync(0);
            await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Audit trail" })).ToHaveCountAsync(0);
            await page.GotoAsync("/audit");
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Not for your role" })).ToBeVisibleAsync();
        }, () => page);
    }

    [Fact]
    public async Task Signing_out_ends_the_session_here_and_at_the_sign_in_form()
    {
        IPage? page = null;
        await browser.RunAsync(nameof(Signing_out_ends_the_session_here_and_at_the_sign_in_form), async () =>
        {
            using var tenant = await TenantSession.StartAsync(docaiche);
            var admin = await tenant.CreateUserAsync("Ada Admin", "admin");
            page = await browser.SignInAsync(docaiche.GatewayAddress, admin.Email, admin.Password);

            await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();

            // Signed out here and at identity: back at the sign-in form, and a console page asks again.
            await Expect(page.Locator("#email")).ToBeVisibleAsync();
            await page.GotoAsync("/libraries");
            await Expect(page.Locator("#email")).ToBeVisibleAsync();
            Assert.DoesNotContain(await page.Context.CookiesAsync(), cookie => cookie.Name == ".DocAIche.Console");
        }, () => page);
    }

    [Fact]
    public async Task Every_page_passes_axe_without_serious_or_critical_violations()
    {
        IPage? page = null;
        await browser.RunAsync(nameof(Every_page_passes_axe_without_serious_or_critical_violations), async () =>
        {
            using var tenant = await TenantSession.StartAsync(docaiche);
            // Pages with something in them: a library, an upload source and its job.
            var library = await tenant.Owner.CreateLibraryAsync(GatewayClient.UniqueWord("a11y").ToLowerInvariant(), ["1"]);
            var source = await tenant.Owner.CreateSourceAsync(library.Id, "1", new { kind = "upload" });
            using (var upload = new MultipartFormDataContent { { new ByteArrayContent(Zip(("intro.md", "# Intro\n\nHello.\n"))), "file", "docs.zip" } })
            using (var accepted = await tenant.Owner.PostAsync($"/api/v1/sources/{source.Id}/uploads", upload))
            {
                Assert.Equal(System.Net.HttpStatusCode.Accepted, accepted.StatusCode);
            }
            var admin = await tenant.CreateUserAsync("Ada Admin", "admin");
            page = await browser.SignInAsync(docaiche.GatewayAddress, admin.Email, admin.Password, bypassPagePolicy: true);

            var found = new List<string>();
            foreach (var (menuItem, heading) in new[]
            {
                ("Overview", "Overview"), ("Libraries", "Libraries"), ("Sources", "Sources"), ("Jobs", "Jobs"), ("Documents", "Documents"),
                ("Search", "Search"), ("API keys", "API keys"), ("Privacy", "Privacy"), ("Two-step sign-in", "Two-step sign-in"), ("Users", "Users"), ("Clients", "Clients"), ("Single sign-on", "Single sign-on"), ("Audit trail", "Audit trail"), ("Security alerts", "Security alerts"), ("Usage and reports", "Usage and reports"),
                ("Health", "Health"),
            })
            {
                await ConsoleBrowser.OpenAsync(page, menuItem, heading);
                // The page as it is used, with its data, not its loading indicator.
                await Expect(page.Locator("fluent-progress-ring")).ToHaveCountAsync(0);
                await ConsoleBrowser.ScreenshotAsync(page, $"a11y-{menuItem.ToLowerInvariant().Replace(' ', '-')}");
                found.AddRange((await ConsoleBrowser.SeriousAccessibilityViolationsAsync(page)).Select(v => $"{menuItem}: {v}"));
            }

            Assert.True(found.Count == 0, string.Join("\n", found));
        }, () => page);
    }
}
