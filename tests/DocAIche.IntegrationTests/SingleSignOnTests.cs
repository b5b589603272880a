using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using DocAIche.IntegrationTests.Support;

namespace DocAIche.IntegrationTests;

/// <summary>
/// Single sign-on through the gateway against a real OpenID Connect provider the test starts on
/// 127.0.0.1 (<see cref="TestIdentityProvider"/>): each test is a tenant of its own that sets its
/// provider, routes its email domain there and maps the provider's groups to roles.
/// </summary>
[Collection(DocAIcheCollection.Name)]
public sealed class SingleSignOnTests(DocAIcheFixture docaiche) : IAsyncLifetime
{
    private TestIdentityProvider provider = null!;
    private TenantSession tenant = null!;

    public async Task InitializeAsync()
    {
        provider = await TestIdentityProvider.StartAsync();
        tenant = await TenantSession.StartAsync(docaiche);
    }

    public async Task DisposeAsync()
    {
        tenant.Dispose();
        await provider.DisposeAsync();
    }

    private string Domain => $"{tenant.TenantId}.docaiche.local";

    private object Settings(bool enforceSso = false, string? authority = null) => new
    {
        displayName = "Test Workspace",
        authority = authority ?? provider.Authority,
        clientId = provider.ClientId,
        clientSecret = provider.ClientSecret,
        groupRoles = new[]
        {
            new { group = "docs-editors", roles = new[] { "editor" } },
            new { group = "docs-admins", roles = new[] { "admin" } },
        },
        domains = new[] { Domain },
        enforceSso,
    };

    private async Task SetProviderAsync(bool enforceSso = false)
    {
        using var set = await tenant.Owner.PutAsJsonAsync("/api/v1/sso/provider", Settings(enforceSso));
        Assert.Equal(HttpStatusCode.OK, set.StatusCode);
        provider.RedirectUri = (await set.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("redirectUri").GetString();
    }

    private async Task<JsonElement> MeAsync(string accessToken)
    {
        using var client = docaiche.CreateClient(accessToken);
        return await client.GetFromJsonAsync<JsonElement>("/api/v1/users/me");
    }

    [Fact]
    public async Task A_provider_is_checked_when_set_and_its_secret_is_never_returned()
    {
        using var invalid = await tenant.Owner.PutAsJsonAsync("/api/v1/sso/provider", new
        {
            displayName = "",
            authority = "ftp://idp.example.com",
            clientId = "x",
            groupRoles = new[] { new { group = "g", roles = new[] { "superuser" } } },
            domains = new[] { "not a domain" },
            scopes = new[] { "email" },
        });
        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        var errors = (await invalid.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        foreach (var field in new[] { "displayName", "authority", "clientSecret", "groupRoles", "domains", "scopes" })
        {
            Assert.True(errors.TryGetProperty(field, out _), $"no error for {field}");
        }

        // 127.0.0.2 is loopback but not an allowed network: the guard refuses it before any connection.
        using var refused = await tenant.Owner.PutAsJsonAsync("/api/v1/sso/provider", Settings(authority: $"http://127.0.0.2:{provider.Issuer.Port}"));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        Assert.Contains("refused", await refused.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
        using var missing = await tenant.Owner.GetAsync("/api/v1/sso/provider");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);

        await SetProviderAsync();
        var read = await tenant.Owner.GetStringAsync("/api/v1/sso/provider");
        Assert.DoesNotContain(provider.ClientSecret, read, StringComparison.Ordinal);
        var shown = JsonDocument.Parse(read).RootElement;
        Assert.True(shown.GetProperty("hasClientSecret").GetBoolean());
        Assert.Equal($"{docaiche.GatewayAddress.ToString().TrimEnd('/')}/account/sso/callback", shown.GetProperty("redirectUri").GetString());

        // Without a secret the stored one is kept; an admin of another tenant cannot take the domain.
        using var kept = await tenant.Owner.PutAsJsonAsync("/api/v1/sso/provider", new { displayName = "Renamed", authority = provider.Authority, clientId = provider.ClientId, groupRoles = new[] { new { group = "docs-editors", roles = new[] { "editor" } } }, domains = new[] { Domain } });
        Assert.Equal(HttpStatusCode.OK, kept.StatusCode);
        using var other = await TenantSession.StartAsync(docaiche);
        using var taken = await other.Owner.PutAsJsonAsync("/api/v1/sso/provider", Settings());
        Assert.Equal(HttpStatusCode.Conflict, taken.StatusCode);

        // Viewers may not read or set it.
        var viewer = await tenant.CreateUserAsync("Viewer", "viewer");
        using var notYours = await viewer.Client.GetAsync("/api/v1/sso/provider");
        Assert.Equal(HttpStatusCode.Forbidden, notYours.StatusCode);
    }

    [Fact]
    public async Task A_person_of_a_routed_domain_signs_in_at_the_provider_with_the_roles_of_their_groups_at_every_sign_in()
    {
        await SetProviderAsync();
        var email = $"alice@{Domain}";
        provider.NextAccount = new ProviderAccount("alice-123", email, "Alice Example", "docs-editors", "marketing");

        var first = await OidcTestClient.FederatedSignInAsync(docaiche.GatewayAddress, email);
        Assert.True(first.Tokens is not null, $"{first.Status}: {first.Page}");
        Assert.Equal(email, provider.LastAuthorization["login_hint"]);
        var me = await MeAsync(first.Tokens.AccessToken);
        Assert.Equal(["editor"], me.GetProperty("roles").EnumerateArray().Select(r => r.GetString()));
        Assert.Equal("Alice Example", me.GetProperty("displayName").GetString());
        Assert.Equal(tenant.TenantId, Jwt.Claim(first.Tokens.AccessToken, "tenant"));

        // Moved to another group at the provider: the next sign-in carries the new roles, on the same account.
        provider.NextAccount = new ProviderAccount("alice-123", email, "Alice Example", "docs-admins");
        var second = await OidcTestClient.FederatedSignInAsync(docaiche.GatewayAddress, email);
        Assert.True(second.Tokens is not null, $"{second.Status}: {second.Page}");
        var again = await MeAsync(second.Tokens.AccessToken);
        Assert.Equal(me.GetProperty("id").GetGuid(), again.GetProperty("id").GetGuid());
        Assert.Equal(["admin"], again.GetProperty("roles").EnumerateArray().Select(r => r.GetString()));

        // Out of every mapped group: refused, and the account keeps no role (its refresh tokens get none either).
        provider.NextAccount = new ProviderAccount("alice-123", email, "Alice Example", "marketing");
        var refused = await OidcTestClient.FederatedSignInAsync(docaiche.GatewayAddress, email);
        Assert.Equal(HttpStatusCode.Forbidden, refused.Status);
        Assert.Contains("no group", refused.Page, StringComparison.Ordinal);
        var users = await tenant.Owner.GetFromJsonAsync<JsonElement>("/api/v1/users");
        var alice = users.EnumerateArray().Single(u => u.GetProperty("email").GetString() == email);
        Assert.Empty(alice.GetProperty("roles").EnumerateArray());
        var refreshed = await OidcTestClient.RefreshAsync(docaiche.Anonymous, second.Tokens.RefreshToken!);
        Assert.True(refreshed is null || !Jwt.Has(refreshed.AccessToken, "role"));
    }

    [Fact]
    public async Task Emails_of_other_domains_are_asked_for_a_password_and_a_provider_speaks_only_for_its_domains()
    {
        await SetProviderAsync();
        var outsider = await OidcTestClient.FederatedSignInAsync(docaiche.GatewayAddress, $"someone@elsewhere-{tenant.TenantId}.docaiche.local");
        Assert.True(outsider.Status == HttpStatusCode.OK, outsider.Page);
        Assert.Contains("id=\"password\"", outsider.Page, StringComparison.Ordinal);

        // The provider asserts an email outside its domains: nobody is signed in as someone of another organisation.
        var email = $"mallory@{Domain}";
        provider.NextAccount = new ProviderAccount("mallory-1", DocAIcheFixture.OwnerEmail, "Mallory", "docs-admins");
        var takeover = await OidcTestClient.FederatedSignInAsync(docaiche.GatewayAddress, email);
        Assert.Equal(HttpStatusCode.Forbidden, takeover.Status);
        Assert.Contains("does not cover", takeover.Page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tokens_from_another_issuer_or_with_a_bad_signature_are_refused()
    {
        await SetProviderAsync();
        var email = $"bob@{Domain}";
        provider.NextAccount = new ProviderAccount("bob-1", email, "Bob", "docs-editors");

        provider.TokenIssuer = "http://127.0.0.1:1/not-the-provider";
        var wrongIssuer = await OidcTestClient.FederatedSignInAsync(docaiche.GatewayAddress, email);
        Assert.Equal(HttpStatusCode.Forbidden, wrongIssuer.Status);
        Assert.Contains("another issuer", wrongIssuer.Page, StringComparison.Ordinal);

        provider.TokenIssuer = null;
        provider.SignWithStrangerKey = true;
        var forged = await OidcTestClient.FederatedSignInAsync(docaiche.GatewayAddress, email);
        Assert.Equal(HttpStatusCode.Forbidden, forged.Status);
        Assert.Contains("signature", forged.Page, StringComparison.Ordinal);

        // Neither created an account.
        var users = await tenant.Owner.GetFromJsonAsync<JsonElement>("/api/v1/users");
        Assert.DoesNotContain(users.EnumerateArray(), u => u.GetProperty("email").GetString() == email);

        provider.SignWithStrangerKey = false;
        var fine = await OidcTestClient.FederatedSignInAsync(docaiche.GatewayAddress, email);
        Assert.NotNull(fine.Tokens);
    }

    [Fact]
    public async Task A_providers_answer_is_used_once_and_only_in_the_browser_that_started_the_sign_in()
    {
        await SetProviderAsync();
        var email = $"carol@{Domain}";
        provider.NextAccount = new ProviderAccount("carol-1", email, "Carol", "docs-editors");

        var signedIn = await OidcTestClient.FederatedSignInAsync(docaiche.GatewayAddress, email);
        Assert.NotNull(signedIn.Tokens);
        var tokenRequests = provider.TokenRequests;
        using (var replay = await docaiche.Anonymous.GetAsync(signedIn.ProviderCallback))
        {
            Assert.Equal(HttpStatusCode.Forbidden, replay.StatusCode);
            Assert.Contains("already used", await replay.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        var stolen = await OidcTestClient.FederatedSignInAsync(docaiche.GatewayAddress, email, stopAtCallback: true);
        using (var elsewhere = await docaiche.Anonymous.GetAsync(stolen.ProviderCallback))
        {
            Assert.Equal(HttpStatusCode.Forbidden, elsewhere.StatusCode);
            Assert.Contains("another browser", await elsewhere.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
        // Neither reached the provider's token endpoint with the code.
        Assert.Equal(tokenRequests, provider.TokenRequests);
    }

    [Fact]
    public async Task Enforcing_sso_turns_password_sign_in_off_for_the_tenant_only()
    {
        var user = await tenant.CreateUserAsync("Dave", "viewer");
        await SetProviderAsync(enforceSso: true);

        var (status, tokens, page) = await OidcTestClient.TrySignInAsync(docaiche.GatewayAddress, user.Email, user.Password);
        Assert.Equal(HttpStatusCode.Forbidden, status);
        Assert.Null(tokens);
        Assert.Contains("identity provider", page, StringComparison.Ordinal);
        // A wrong password still answers as a wrong password (nothing learnt about the account).
        var (wrongStatus, _, wrongPage) = await OidcTestClient.TrySignInAsync(docaiche.GatewayAddress, user.Email, user.Password + "x");
        Assert.Equal(HttpStatusCode.BadRequest, wrongStatus);
        Assert.Contains("Wrong email or password", wrongPage, StringComparison.Ordinal);

        // Other tenants keep their passwords.
        Assert.NotNull((await OidcTestClient.TrySignInAsync(docaiche.GatewayAddress, DocAIcheFixture.OwnerEmail, docaiche.OwnerPassword)).Tokens);

        // The person signs in at the provider instead, as the same account.
        provider.NextAccount = new ProviderAccount("dave-1", user.Email, "Dave", "docs-editors");
        var federated = await OidcTestClient.FederatedSignInAsync(docaiche.GatewayAddress, user.Email);
        Assert.True(federated.Tokens is not null, $"{federated.Status}: {federated.Page}");
        Assert.Equal(user.Id, (await MeAsync(federated.Tokens.AccessToken)).GetProperty("id").GetGuid());

        using var removed = await tenant.Owner.DeleteAsync("/api/v1/sso/provider");
        Assert.Equal(HttpStatusCode.NoContent, removed.StatusCode);
        Assert.NotNull((await OidcTestClient.TrySignInAsync(docaiche.GatewayAddress, user.Email, user.Password)).Tokens);
    }
}
