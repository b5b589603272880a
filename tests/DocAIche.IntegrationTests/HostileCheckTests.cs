using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using DocAIche.IntegrationTests.Support;

namespace DocAIche.IntegrationTests;

/// <summary>
/// What hostile testing found, each as it was tried: through the gateway, as a user of another
/// tenant, a demoted admin, an uploader of hostile Markdown, a sender of NUL characters.
/// </summary>
[Collection(DocAIcheCollection.Name)]
public sealed class HostileCheckTests(DocAIcheFixture docaiche)
{
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(5);

    // ---- Privacy requests stay in the caller's tenant ----

    [Theory]
    [InlineData("erasures")]
    [InlineData("exports")]
    public async Task A_privacy_request_about_another_tenants_user_is_not_found_and_changes_nothing(string kind)
    {
        using var victims = await TenantSession.StartAsync(docaiche);
        var victim = await victims.CreateUserAsync("Vera Victim", "editor");
        var tokens = await OidcTestClient.SignInAsync(docaiche.GatewayAddress, victim.Email, victim.Password);
        using var attackers = await TenantSession.StartAsync(docaiche);

        foreach (var subjectId in new[] { victim.Subject, victim.Id.ToString() })
        {
            using var response = await attackers.Owner.PostAsJsonAsync($"/api/v1/privacy/{kind}", new { subjectId });
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }

        // Nothing was asked of any service: the victim's refresh token and account still work.
        await Task.Delay(Settle);
        var refreshed = await OidcTestClient.RefreshAsync(docaiche.Anonymous, tokens.RefreshToken!);
        Assert.NotNull(refreshed);
        using var me = docaiche.CreateClient(refreshed.AccessToken);
        Assert.Equal(HttpStatusCode.OK, (await me.GetAsync("/api/v1/users/me")).StatusCode);
        await using var audit = await docaiche.OpenAsync("auditdb");
        Assert.Equal(0L, await audit.ScalarAsync<long>("""SELECT count(*) FROM privacy_requests WHERE "SubjectId" = @s""", ("s", victim.Subject)));
    }

    [Fact]
    public async Task An_admin_may_still_ask_for_the_data_of_a_user_of_their_own_tenant()
    {
        using var tenant = await TenantSession.StartAsync(docaiche);
        var subject = await tenant.CreateUserAsync("Sam Subject", "viewer");

        using var response = await tenant.Owner.PostAsJsonAsync("/api/v1/privacy/exports", new { subjectId = subject.Subject });

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }

    // ---- A key or client never has more than its creator has now ----

    [Fact]
    public async Task A_demoted_admins_api_keys_lose_the_admin_role_and_cannot_restore_it()
    {
        using var tenant = await TenantSession.StartAsync(docaiche);
        var admin = await tenant.CreateUserAsync("Ada Admin", "admin");
        var adminOnly = await CreateKeyAsync(admin.Client, ["admin"]);
        var adminAndViewer = await CreateKeyAsync(admin.Client, ["admin", "viewer"]);
        using var client = await admin.Client.PostAsJsonAsync("/api/v1/clients", new { displayName = "ci", roles = new[] { "editor" } });
        Assert.Equal(HttpStatusCode.Created, client.StatusCode);
        var machine = await client.Content.ReadFromJsonAsync<JsonElement>();

        using (var demoted = await tenant.Owner.PutAsJsonAsync($"/api/v1/users/{admin.Id}/roles", new { roles = new[] { "viewer" } }))
        {
            Assert.Equal(HttpStatusCode.OK, demoted.StatusCode);
        }

        using (var keyOnlyAdmin = KeyClient(adminOnly))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await keyOnlyAdmin.GetAsync("/api/v1/users/me")).StatusCode);
        }
        using (var key = KeyClient(adminAndViewer))
        {
            Assert.Equal(HttpStatusCode.Forbidden, (await key.GetAsync("/api/v1/users")).StatusCode);
            using var restore = await key.PutAsJsonAsync($"/api/v1/users/{admin.Id}/roles", new { roles = new[] { "admin" } });
            Assert.Equal(HttpStatusCode.Forbidden, restore.StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await key.GetAsync("/api/v1/libraries")).StatusCode); // what the creator still holds
        }
        var roles = (await tenant.Owner.GetFromJsonAsync<List<JsonElement>>("/api/v1/users"))!
            .Single(u => u.GetProperty("id").GetGuid() == admin.Id).GetProperty("roles").EnumerateArray().Select(r => r.GetString());
        Assert.Equal(["viewer"], roles);

        // The machine client the admin made for "editor" gets no token now: its creator holds no editor role.
        using var token = await docaiche.Anonymous.PostAsync("/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = machine.GetProperty("clientId").GetString()!,
            ["client_secret"] = machine.GetProperty("clientSecret").GetString()!,
            ["scope"] = "docaiche.api",
        }));
        Assert.Equal(HttpStatusCode.BadRequest, token.StatusCode);
    }

    [Fact]
    public async Task A_disabled_person_their_token_their_live_connection_and_their_api_key_give_nothing_at_once()
    {
        using var tenant = await TenantSession.StartAsync(docaiche);
        var editor = await tenant.CreateUserAsync("Ed Editor", "editor");
        var key = await CreateKeyAsync(editor.Client, ["viewer"]);
        var token = editor.Client.DefaultRequestHeaders.Authorization!.Parameter!;
        await using var live = await LiveClient.ConnectAsync(docaiche.GatewayAddress, token);
        Assert.Equal("subscribed", (await live.SubscribeAsync("jobs")).GetProperty("type").GetString());

        using (var disabled = await tenant.Owner.PostAsync($"/api/v1/users/{editor.Id}/disable", null))
        {
            Assert.Equal(HttpStatusCode.OK, disabled.StatusCode);
        }

        using var client = KeyClient(key);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/v1/libraries")).StatusCode);
        await Eventually.Async(async () => (await editor.Client.GetAsync("/api/v1/libraries")).StatusCode, s => s == HttpStatusCode.Unauthorized,
            TimeSpan.FromSeconds(15), "the disabled person's access token refused at the gateway");
        Assert.Equal(System.Net.WebSockets.WebSocketCloseStatus.PolicyViolation, await live.ClosedAsync());
    }

    private static async Task<string> CreateKeyAsync(HttpClient creator, string[] roles)
    {
        using var response = await creator.PostAsJsonAsync("/api/v1/api-keys", new { name = GatewayClient.UniqueWord("key"), roles });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("key").GetString()!;
    }

    private HttpClient KeyClient(string key)
    {
        var client = docaiche.CreateClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", key);
        return client;
    }

    // ---- Snippets are escaped text; Markdown loses its raw HTML ----

    [Fact]
    public async Task Hostile_markup_in_a_markdown_upload_never_comes_back_as_markup()
    {
        using var tenant = await TenantSession.StartAsync(docaiche);
        var word = GatewayClient.UniqueWord("xsstopic");
        var document = await tenant.Owner.StoreDocumentAsync("Hostile", $"# Hostile\n\nAbout {word} <img src=x onerror=alert(1)> and <b>bold</b> & [a link](javascript:alert(2)).\n\n<script>alert(3)</script>\n");

        var stored = await tenant.Owner.GetFromJsonAsync<JsonElement>($"/api/v1/documents/{document.Id}");
        var content = stored.GetProperty("content").GetString()!;
        Assert.DoesNotContain("onerror", content, StringComparison.Ordinal);
        Assert.DoesNotContain("javascript:", content, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", content, StringComparison.Ordinal);

        var hit = await Eventually.Async(async () => (await tenant.Owner.SearchAsync(word)).Results.FirstOrDefault(r => r.DocumentId == document.Id),
            r => r is not null, TimeSpan.FromSeconds(60), "the page in search");
        var tags = System.Text.RegularExpressions.Regex.Matches(hit!.Snippet, "</?([a-zA-Z]+)").Select(m => m.Groups[1].Value).Distinct().ToList();
        Assert.All(tags, tag => Assert.Equal("mark", tag));
        Assert.Contains("<mark>", hit.Snippet, StringComparison.Ordinal);
        Assert.Contains("&amp;", hit.Snippet, StringComparison.Ordinal);
        Assert.DoesNotContain("onerror", hit.Content, StringComparison.Ordinal);
    }

    // ---- NUL characters: one clear 400 naming the field, nothing changed ----

    public static TheoryData<string, string, string?, string> NulInputs() => new()
    {
        { "POST", "/api/v1/users", """{"email":"nul\u0000@tests.docaiche.local","displayName":"N","password":"{password}","roles":["viewer"]}""", "email" },
        { "POST", "/api/v1/users", """{"email":"nul@tests.docaiche.local","displayName":"N\u0000","password":"{password}","roles":["viewer"]}""", "displayName" },
        { "POST", "/api/v1/api-keys", """{"name":"key\u0000"}""", "name" },
        { "POST", "/api/v1/clients", """{"displayName":"client\u0000","roles":["viewer"]}""", "displayName" },
        { "POST", "/api/v1/tenants", """{"id":"nultenant","name":"T\u0000","ownerEmail":"o@nul.docaiche.local","ownerPassword":"{password}"}""", "name" },
        { "POST", "/api/v1/libraries", """{"name":"nullib","description":"d\u0000","versions":["1"]}""", "description" },
        { "POST", "/api/v1/feedback", """{"documentId":"0193d7a4-0000-7000-8000-000000000000","kind":"helpful","comment":"c\u0000"}""", "comment" },
        { "POST", "/api/v1/search", """{"q":"hooks\u0000"}""", "q" },
        { "GET", "/api/v1/search?q=hooks%00", null, "q" },
        { "GET", "/api/v1/audit/records?actor=%00", null, "actor" },
        { "GET", "/api/v1/audit/records/export?actor=%00", null, "actor" },
        { "GET", "/api/v1/documents?libraryId=0193d7a4-0000-7000-8000-000000000000&version=1%00", null, "version" },
    };

    [Theory]
    [MemberData(nameof(NulInputs))]
    public async Task A_nul_character_in_any_field_is_a_400_naming_the_field(string method, string path, string? body, string field)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (body is not null)
        {
            // Refused before anything runs, but a password is still never a literal.
            var password = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(12));
            request.Content = new StringContent(body.Replace("{password}", password, StringComparison.Ordinal), Encoding.UTF8, "application/json");
        }

        using var response = await docaiche.Gateway.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"The problem names {field}: {problem}");
    }

    [Fact]
    public async Task Nul_characters_in_git_include_patterns_and_document_titles_change_nothing()
    {
        using var tenant = await TenantSession.StartAsync(docaiche);
        var library = await tenant.Owner.CreateLibraryAsync(GatewayClient.UniqueWord("nul"), ["1"]);
        using var git = await tenant.Owner.PostAsync($"/api/v1/libraries/{library.Id}/versions/1/sources", new StringContent(
            """{"kind":"git","git":{"url":"http://127.0.0.2:9/x.git","include":["docs/**","a\u0000"]}}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, git.StatusCode);
        Assert.Contains("git.include[1]", await git.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var source = await tenant.Owner.CreateSourceAsync(library.Id, "1", new { kind = "upload" });
        using var titled = await tenant.Owner.PostAsync($"/api/v1/sources/{source.Id}/documents", new StringContent(
            """{"path":"a.md","title":"T\u0000","content":"# A"}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, titled.StatusCode);
        Assert.Empty(await tenant.Owner.DocumentsAsync(library.Id, "1"));
    }

    [Fact]
    public async Task A_nul_character_in_a_sign_in_form_is_refused_without_a_server_error()
    {
        using var response = await docaiche.Anonymous.PostAsync("/account/signin", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["email"] = "owner\0@tests.docaiche.local",
            ["password"] = "x",
        }));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    // ---- PKCE plain ----

    [Fact]
    public async Task Pkce_plain_is_refused()
    {
        var query = string.Join("&", new Dictionary<string, string>
        {
            ["client_id"] = OidcTestClient.CliClientId,
            ["response_type"] = "code",
            ["redirect_uri"] = "http://127.0.0.1:45678/callback",
            ["scope"] = "openid docaiche.api",
            ["code_challenge"] = new string('a', 43),
            ["code_challenge_method"] = "plain",
            ["state"] = "s",
        }.Select(p => $"{p.Key}={Uri.EscapeDataString(p.Value)}"));
        using var handler = new HttpClientHandler { AllowAutoRedirect = false };
        using var browser = new HttpClient(handler) { BaseAddress = docaiche.GatewayAddress };

        using var response = await browser.GetAsync($"/connect/authorize?{query}");

        // Either an error page or an error back to the client: never on to the sign-in form.
        var location = response.Headers.Location?.ToString() ?? "";
        Assert.DoesNotContain("/account/signin", location, StringComparison.Ordinal);
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest || location.Contains("error=invalid_request", StringComparison.Ordinal),
            $"{response.StatusCode} {location}");
    }

    // ---- Another tenant's private library is simply not there ----

    [Fact]
    public async Task Listing_documents_of_another_tenants_private_library_is_404_whatever_the_version()
    {
        using var owners = await TenantSession.StartAsync(docaiche);
        var library = await owners.Owner.CreateLibraryAsync(GatewayClient.UniqueWord("secret"), ["1.0"]);
        using var stranger = await TenantSession.StartAsync(docaiche);

        foreach (var version in new[] { "1.0", "9.9", null })
        {
            var url = $"/api/v1/documents?libraryId={library.Id}" + (version is null ? "" : $"&version={version}");
            using var response = await stranger.Owner.GetAsync(url);
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        }
        using var own = await owners.Owner.GetAsync($"/api/v1/documents?libraryId={library.Id}&version=1.0");
        Assert.Equal(HttpStatusCode.OK, own.StatusCode);
    }

    // ---- No server banner ----

    [Theory]
    [InlineData("/api/v1/libraries")]
    [InlineData("/api/v1/users/me")]
    [InlineData("/.well-known/openid-configuration")]
    [InlineData("/api/v1/nothing-here")]
    [InlineData("/health")]
    public async Task No_answer_says_what_server_software_runs(string path)
    {
        using var response = await docaiche.Gateway.GetAsync(path);

        Assert.False(response.Headers.Contains("Server"), $"{path} sent Server: {string.Join(",", response.Headers.Server)}");
    }
}
