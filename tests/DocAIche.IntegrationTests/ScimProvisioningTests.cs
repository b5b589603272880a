using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using DocAIche.IntegrationTests.Support;

namespace DocAIche.IntegrationTests;

/// <summary>
/// SCIM 2.0 through the gateway, as an identity provider's provisioning client speaks it (Entra ID's
/// string booleans included): people and groups created, groups' roles applied, and a deprovisioned
/// person stopped at once, whatever they hold.
/// </summary>
[Collection(DocAIcheCollection.Name)]
public sealed class ScimProvisioningTests(DocAIcheFixture docaiche) : IAsyncLifetime
{
    private TestIdentityProvider provider = null!;
    private TenantSession tenant = null!;
    private HttpClient scim = null!;

    public async Task InitializeAsync()
    {
        provider = await TestIdentityProvider.StartAsync();
        tenant = await TenantSession.StartAsync(docaiche);
        using var set = await tenant.Owner.PutAsJsonAsync("/api/v1/sso/provider", new
        {
            displayName = "Test Workspace",
            authority = provider.Authority,
            clientId = provider.ClientId,
            clientSecret = provider.ClientSecret,
            groupRoles = new[] { new { group = "docs-editors", roles = new[] { "editor" } }, new { group = "docs-admins", roles = new[] { "admin" } } },
            domains = new[] { Domain },
        });
        Assert.Equal(HttpStatusCode.OK, set.StatusCode);
        provider.RedirectUri = (await set.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("redirectUri").GetString();
        scim = await ScimClientAsync(tenant);
    }

    public async Task DisposeAsync()
    {
        scim.Dispose();
        tenant.Dispose();
        await provider.DisposeAsync();
    }

    private string Domain => $"{tenant.TenantId}.docaiche.local";

    private async Task<HttpClient> ScimClientAsync(TenantSession session)
    {
        using var created = await session.Owner.PostAsync("/api/v1/sso/scim-token", null);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var token = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString();
        var client = docaiche.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    private static StringContent Scim(object body) => new(JsonSerializer.Serialize(body), Encoding.UTF8, "application/scim+json");

    private static async Task<JsonElement> ReadAsync(HttpResponseMessage response) => await response.Content.ReadFromJsonAsync<JsonElement>();

    private async Task<string> CreateUserAsync(string local, string externalId)
    {
        using var created = await scim.PostAsync("/scim/v2/Users", Scim(new
        {
            schemas = new[] { "urn:ietf:params:scim:schemas:core:2.0:User" },
            userName = $"{local}@{Domain}",
            externalId,
            name = new { givenName = local, familyName = "Example" },
            active = true,
        }));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return (await ReadAsync(created)).GetProperty("id").GetString()!;
    }

    private async Task<IReadOnlyList<string?>> RolesOfAsync(string userId) =>
        [.. (await tenant.Owner.GetFromJsonAsync<JsonElement>($"/api/v1/users/{userId}")).GetProperty("roles").EnumerateArray().Select(r => r.GetString())];

    [Fact]
    public async Task Provisioned_people_get_their_groups_roles_and_deprovisioning_stops_everything_they_hold_at_once()
    {
        var id = await CreateUserAsync("erin", "entra-erin");
        var found = await ReadAsync(await scim.GetAsync($"/scim/v2/Users?filter={Uri.EscapeDataString($"userName eq \"erin@{Domain}\"")}"));
        Assert.Equal(1, found.GetProperty("totalResults").GetInt32());
        Assert.Equal(id, found.GetProperty("Resources")[0].GetProperty("id").GetString());
        Assert.Empty(await RolesOfAsync(id));

        // Put in a mapped group: editor.
        using var group = await scim.PostAsync("/scim/v2/Groups", Scim(new { displayName = "docs-editors", members = new[] { new { value = id } } }));
        Assert.Equal(HttpStatusCode.Created, group.StatusCode);
        var groupId = (await ReadAsync(group)).GetProperty("id").GetString();
        Assert.Equal(["editor"], await RolesOfAsync(id));

        // Erin signs in at the provider, and makes an API key.
        provider.NextAccount = new ProviderAccount("erin-sub", $"erin@{Domain}", "Erin Example", "docs-editors");
        var signedIn = await OidcTestClient.FederatedSignInAsync(docaiche.GatewayAddress, $"erin@{Domain}");
        Assert.True(signedIn.Tokens is not null, $"{signedIn.Status}: {signedIn.Page}");
        using var erin = docaiche.CreateClient(signedIn.Tokens.AccessToken);
        using var key = await erin.PostAsJsonAsync("/api/v1/api-keys", new { name = "erin's agent", roles = new[] { "viewer" } });
        Assert.Equal(HttpStatusCode.Created, key.StatusCode);
        using var agent = docaiche.CreateClient();
        agent.DefaultRequestHeaders.Add("X-Api-Key", (await ReadAsync(key)).GetProperty("key").GetString());
        using (var works = await agent.GetAsync("/api/v1/libraries"))
        {
            Assert.Equal(HttpStatusCode.OK, works.StatusCode);
        }
        await using var live = await LiveClient.ConnectAsync(docaiche.GatewayAddress, signedIn.Tokens.AccessToken);
        Assert.Equal("subscribed", (await live.SubscribeAsync("jobs")).GetProperty("type").GetString());

        // Removed from the group: no role left.
        using (var removed = await scim.PatchAsync($"/scim/v2/Groups/{groupId}", Scim(new
        {
            schemas = new[] { "urn:ietf:params:scim:api:messages:2.0:PatchOp" },
            Operations = new[] { new { op = "remove", path = $"members[value eq \"{id}\"]" } },
        })))
        {
            Assert.Equal(HttpStatusCode.OK, removed.StatusCode);
        }
        Assert.Empty(await RolesOfAsync(id));

        // Deprovisioned as Entra ID does it ("False" as a string): her token, her refresh token, her key and her open live connection stop at once.
        using (var deactivated = await scim.PatchAsync($"/scim/v2/Users/{id}", Scim(new
        {
            schemas = new[] { "urn:ietf:params:scim:api:messages:2.0:PatchOp" },
            Operations = new[] { new { op = "Replace", path = "active", value = "False" } },
        })))
        {
            Assert.Equal(HttpStatusCode.OK, deactivated.StatusCode);
            Assert.False((await ReadAsync(deactivated)).GetProperty("active").GetBoolean());
        }
        await Eventually.Async(async () => (await erin.GetAsync("/api/v1/users/me")).StatusCode, s => s == HttpStatusCode.Unauthorized,
            TimeSpan.FromSeconds(15), "the deprovisioned person's access token refused at the gateway");
        await Eventually.Async(async () => (await agent.GetAsync("/api/v1/libraries")).StatusCode, s => s == HttpStatusCode.Unauthorized,
            TimeSpan.FromSeconds(15), "the deprovisioned person's API key refused");
        Assert.Equal(System.Net.WebSockets.WebSocketCloseStatus.PolicyViolation, await live.ClosedAsync());
        Assert.Equal(HttpStatusCode.Unauthorized, await LiveClient.RefusalAsync(docaiche.GatewayAddress, signedIn.Tokens.AccessToken));
        Assert.Null(await OidcTestClient.RefreshAsync(docaiche.Anonymous, signedIn.Tokens.RefreshToken!));
        var again = await OidcTestClient.FederatedSignInAsync(docaiche.GatewayAddress, $"erin@{Domain}");
        Assert.Equal(HttpStatusCode.Forbidden, again.Status);
        Assert.Contains("disabled", again.Page, StringComparison.Ordinal);

        // Others of the tenant are untouched.
        using var owner = await tenant.Owner.GetAsync("/api/v1/users/me");
        Assert.Equal(HttpStatusCode.OK, owner.StatusCode);

        // Deleted: gone.
        using var deleted = await scim.DeleteAsync($"/scim/v2/Users/{id}");
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        using var gone = await scim.GetAsync($"/scim/v2/Users/{id}");
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
    }

    [Fact]
    public async Task Scim_refuses_bad_tokens_bad_input_and_other_tenants()
    {
        using (var anonymous = await docaiche.Anonymous.GetAsync("/scim/v2/Users"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
            Assert.Equal("application/scim+json", anonymous.Content.Headers.ContentType?.MediaType);
        }
        using var forged = docaiche.CreateClient();
        forged.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "scim_" + new string('A', 40));
        using (var refused = await forged.GetAsync("/scim/v2/Users"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        }

        using (var outside = await scim.PostAsync("/scim/v2/Users", Scim(new { userName = "frank@elsewhere.example" })))
        {
            Assert.Equal(HttpStatusCode.BadRequest, outside.StatusCode);
            Assert.Equal("invalidValue", (await ReadAsync(outside)).GetProperty("scimType").GetString());
        }
        var id = await CreateUserAsync("grace", "entra-grace");
        using (var twice = await scim.PostAsync("/scim/v2/Users", Scim(new { userName = $"grace@{Domain}" })))
        {
            Assert.Equal(HttpStatusCode.Conflict, twice.StatusCode);
            Assert.Equal("uniqueness", (await ReadAsync(twice)).GetProperty("scimType").GetString());
        }
        using (var filter = await scim.GetAsync($"/scim/v2/Users?filter={Uri.EscapeDataString("userName co \"grace\"")}"))
        {
            Assert.Equal(HttpStatusCode.BadRequest, filter.StatusCode);
            Assert.Equal("invalidFilter", (await ReadAsync(filter)).GetProperty("scimType").GetString());
        }
        using (var stranger = await scim.PostAsync("/scim/v2/Groups", Scim(new { displayName = "docs-admins", members = new[] { new { value = Guid.NewGuid() } } })))
        {
            Assert.Equal(HttpStatusCode.BadRequest, stranger.StatusCode);
        }
        using (var malformed = await scim.PostAsync("/scim/v2/Users", new StringContent("{not json", Encoding.UTF8, "application/scim+json")))
        {
            Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        }

        // Another tenant's SCIM token sees none of this tenant's people, and cannot put them in its groups.
        using var other = await TenantSession.StartAsync(docaiche);
        using (var otherProvider = await other.Owner.PutAsJsonAsync("/api/v1/sso/provider", new
        {
            displayName = "Other", authority = provider.Authority, clientId = "other", clientSecret = "other-secret",
            groupRoles = new[] { new { group = "docs-admins", roles = new[] { "admin" } } }, domains = new[] { $"{other.TenantId}.docaiche.local" },
        }))
        {
            Assert.Equal(HttpStatusCode.OK, otherProvider.StatusCode);
        }
        using var otherScim = await ScimClientAsync(other);
        using (var notTheirs = await otherScim.GetAsync($"/scim/v2/Users/{id}"))
        {
            Assert.Equal(HttpStatusCode.NotFound, notTheirs.StatusCode);
        }
        Assert.Equal(0, (await ReadAsync(await otherScim.GetAsync($"/scim/v2/Users?filter={Uri.EscapeDataString($"userName eq \"grace@{Domain}\"")}"))).GetProperty("totalResults").GetInt32());
        using (var grab = await otherScim.PostAsync("/scim/v2/Groups", Scim(new { displayName = "docs-admins", members = new[] { new { value = id } } })))
        {
            Assert.Equal(HttpStatusCode.BadRequest, grab.StatusCode);
        }
        Assert.Empty(await RolesOfAsync(id));

        // A revoked token stops working.
        using (var revoked = await tenant.Owner.DeleteAsync("/api/v1/sso/scim-token"))
        {
            Assert.Equal(HttpStatusCode.NoContent, revoked.StatusCode);
        }
        using var after = await scim.GetAsync("/scim/v2/Users");
        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
    }
}
