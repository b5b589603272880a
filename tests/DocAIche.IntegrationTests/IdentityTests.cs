using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using DocAIche.IntegrationTests.Support;

namespace DocAIche.IntegrationTests;

/// <summary>The OpenID Connect provider and its enforcement, through the gateway, as clients and attackers see them.</summary>
[Collection(DocAIcheCollection.Name)]
public sealed class IdentityTests(DocAIcheFixture docaiche)
{
    private HttpClient Owner => docaiche.Gateway;

    private static JsonElement Payload(string jwt) =>
        JsonDocument.Parse(Base64UrlDecode(jwt.Split('.')[1])).RootElement.Clone();

    private static byte[] Base64UrlDecode(string s) =>
        Convert.FromBase64String(s.Replace('-', '+').Replace('_', '/').PadRight(s.Length + (4 - s.Length % 4) % 4, '='));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static string Json(object value) => Base64Url(JsonSerializer.SerializeToUtf8Bytes(value));

    private async Task<(string Email, string Password, Guid Id)> CreateUserAsync(params string[] roles)
    {
        var email = $"{GatewayClient.UniqueWord("user")}@tests.docaiche.local";
        var password = Convert.ToBase64String(RandomNumberGenerator.GetBytes(18));
        using var response = await Owner.PostAsJsonAsync("/api/v1/users", new { email, displayName = "Test user", password, roles });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        return (email, password, id);
    }

    [Fact]
    public async Task The_gateway_publishes_standard_openid_connect_discovery()
    {
        using var discovery = JsonDocument.Parse(await docaiche.Anonymous.GetStringAsync("/.well-known/openid-configuration"));
        var root = discovery.RootElement;

        // RFC 8414 / OIDC Discovery: the issuer is exactly where the document was found, and every endpoint is under it.
        var publicUrl = $"http://127.0.0.1:{docaiche.GatewayAddress.Port}/";
        Assert.Equal(publicUrl, root.GetProperty("issuer").GetString());
        foreach (var endpoint in root.EnumerateObject().Where(p => p.Name.EndsWith("_endpoint", StringComparison.Ordinal) || p.Name == "jwks_uri"))
        {
            Assert.StartsWith(publicUrl, endpoint.Value.GetString(), StringComparison.Ordinal);
        }
        // PKCE with S256 only ("plain" protects nothing).
        Assert.Equal(["S256"], root.GetProperty("code_challenge_methods_supported").EnumerateArray().Select(m => m.GetString()!).ToList());
        var grants = root.GetProperty("grant_types_supported").EnumerateArray().Select(g => g.GetString()).ToList();
        Assert.Contains("authorization_code", grants);
        Assert.Contains("client_credentials", grants);
        Assert.Contains("refresh_token", grants);
        using var jwks = JsonDocument.Parse(await docaiche.Anonymous.GetStringAsync("/.well-known/jwks"));
        var key = Assert.Single(jwks.RootElement.GetProperty("keys").EnumerateArray());
        Assert.Equal("RSA", key.GetProperty("kty").GetString());
        Assert.False(key.TryGetProperty("d", out _)); // never the private part
    }

    [Fact]
    public async Task Code_with_PKCE_through_the_sign_in_form_gives_an_RS256_token_with_tenant_roles_and_audience()
    {
        var tokens = await OidcTestClient.SignInAsync(docaiche.GatewayAddress, DocAIcheFixture.OwnerEmail, docaiche.OwnerPassword);

        var header = JsonDocument.Parse(Base64UrlDecode(tokens.AccessToken.Split('.')[0])).RootElement;
        Assert.Equal("RS256", header.GetProperty("alg").GetString());
        var claims = Payload(tokens.AccessToken);
        Assert.Equal("default", claims.GetProperty("tenant").GetString());
        Assert.Contains("owner", claims.GetProperty("role").EnumerateArray().Select(r => r.GetString()));
        Assert.Equal("docaiche-api", claims.GetProperty("aud").ValueKind == JsonValueKind.Array
            ? claims.GetProperty("aud")[0].GetString() : claims.GetProperty("aud").GetString());
        Assert.NotNull(tokens.RefreshToken);
        Assert.NotNull(tokens.IdToken);
    }

    [Fact]
    public async Task A_wrong_password_gets_the_form_again_and_no_token()
    {
        var (status, tokens, html) = await OidcTestClient.TrySignInAsync(docaiche.GatewayAddress, DocAIcheFixture.OwnerEmail, "not the password at all");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Null(tokens);
        Assert.Contains("Wrong email or password", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Repeated_wrong_passwords_lock_the_account_even_against_the_right_one()
    {
        var (email, password, userId) = await CreateUserAsync("viewer");
        for (var i = 0; i < 5; i++)
        {
            var (wrong, _, _) = await OidcTestClient.TrySignInAsync(docaiche.GatewayAddress, email, "wrong password " + i);
            Assert.Equal(HttpStatusCode.BadRequest, wrong);
        }

        var (status, tokens, html) = await OidcTestClient.TrySignInAsync(docaiche.GatewayAddress, email, password);

        Assert.Null(tokens);
        // The same answer as for an address nobody has: a guesser learns nothing from the lockout.
        var (unknownStatus, _, unknownHtml) = await OidcTestClient.TrySignInAsync(
            docaiche.GatewayAddress, $"{GatewayClient.UniqueWord("nobody")}@tests.docaiche.local", "wrong password");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(unknownStatus, status);
        Assert.Equal(ErrorMessage(unknownHtml), ErrorMessage(html));
        // The lockout itself is audited for the tenant's admins.
        await AuditTests.RecordsEventuallyAsync(Owner, $"&action=user.locked_out&target={userId}");
    }

    private static string ErrorMessage(string html) =>
        System.Text.RegularExpressions.Regex.Match(html, "role=\"alert\">([^<]*)<").Groups[1].Value;

    [Fact]
    public async Task The_sign_in_key_ring_is_shared_through_the_database_and_sealed()
    {
        await OidcTestClient.SignInAsync(docaiche.GatewayAddress, DocAIcheFixture.OwnerEmail, docaiche.OwnerPassword);

        await using var identity = await docaiche.OpenAsync("identitydb");
        var xml = await identity.ScalarAsync<string>("""SELECT "Xml" FROM data_protection_keys ORDER BY "Id" LIMIT 1""");

        // Every identity instance reads this ring; only the deployment's key-encryption key opens it.
        Assert.Contains("<sealed", xml, StringComparison.Ordinal);
        Assert.DoesNotContain("<masterKey", xml, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_refresh_token_is_rotated_and_the_old_one_no_longer_works()
    {
        var signedIn = await OidcTestClient.SignInAsync(docaiche.GatewayAddress, DocAIcheFixture.OwnerEmail, docaiche.OwnerPassword);

        var refreshed = await OidcTestClient.RefreshAsync(docaiche.Anonymous, signedIn.RefreshToken!);

        Assert.NotNull(refreshed);
        Assert.NotEqual(signedIn.RefreshToken, refreshed!.RefreshToken);
        Assert.Null(await OidcTestClient.RefreshAsync(docaiche.Anonymous, signedIn.RefreshToken!));
    }

    [Fact]
    public async Task A_revoked_refresh_token_no_longer_works()
    {
        var signedIn = await OidcTestClient.SignInAsync(docaiche.GatewayAddress, DocAIcheFixture.OwnerEmail, docaiche.OwnerPassword);

        using var revoked = await docaiche.Anonymous.PostAsync("/connect/revoke", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["token"] = signedIn.RefreshToken!,
            ["token_type_hint"] = "refresh_token",
            ["client_id"] = OidcTestClient.CliClientId,
        }));

        Assert.Equal(HttpStatusCode.OK, revoked.StatusCode);
        Assert.Null(await OidcTestClient.RefreshAsync(docaiche.Anonymous, signedIn.RefreshToken!));
    }

    [Fact]
    public async Task A_machine_client_gets_a_token_with_its_roles_and_no_more()
    {
        using var created = await Owner.PostAsJsonAsync("/api/v1/clients", new { displayName = "CI indexer", roles = new[] { "viewer" } });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var client = await created.Content.ReadFromJsonAsync<JsonElement>();

        var tokens = await OidcTestClient.ClientCredentialsAsync(docaiche.Anonymous,
            client.GetProperty("clientId").GetString()!, client.GetProperty("clientSecret").GetString()!);

        Assert.NotNull(tokens);
        using var machine = docaiche.CreateClient(tokens!.AccessToken);
        using var search = await machine.GetAsync("/api/v1/search?q=anything");
        Assert.Equal(HttpStatusCode.OK, search.StatusCode);
        using var store = await machine.PostAsJsonAsync("/api/v1/libraries", new { name = "not-allowed" });
        Assert.Equal(HttpStatusCode.Forbidden, store.StatusCode);
    }

    [Fact]
    public async Task A_wrong_client_secret_gets_no_token()
    {
        using var created = await Owner.PostAsJsonAsync("/api/v1/clients", new { displayName = "Guessed", roles = new[] { "viewer" } });
        var client = await created.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Null(await OidcTestClient.ClientCredentialsAsync(docaiche.Anonymous, client.GetProperty("clientId").GetString()!, "not-the-secret"));
    }

    [Theory]
    [InlineData("/api/v1/documents")]
    [InlineData("/api/v1/search?q=x")]
    [InlineData("/api/v1/audit/records")]
    [InlineData("/api/v1/users")]
    [InlineData("/api/v1/api-keys")]
    public async Task A_request_without_a_token_is_refused_with_401(string path)
    {
        using var response = await docaiche.Anonymous.GetAsync(path);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    public static TheoryData<string> ForgedTokens() =>
        ["alg-none", "foreign-key", "foreign-issuer", "wrong-audience", "expired-foreign", "garbage"];

    [Theory]
    [MemberData(nameof(ForgedTokens))]
    public async Task A_forged_or_foreign_token_is_refused_with_401(string kind)
    {
        var issuer = Payload(docaiche.OwnerAccessToken).GetProperty("iss").GetString()!;
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        object Claims(string iss, string aud, long exp) => new { iss, aud, sub = "user:attacker", tenant = "default", role = new[] { "owner" }, scope = "docaiche.api", iat = now, exp };
        using var foreignKey = RSA.Create(2048);
        string Sign(object header, object claims)
        {
            var signingInput = $"{Json(header)}.{Json(claims)}";
            return $"{signingInput}.{Base64Url(foreignKey.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1))}";
        }
        var rs256 = new { alg = "RS256", typ = "at+jwt", kid = "forged" };
        var token = kind switch
        {
            "alg-none" => $"{Json(new { alg = "none", typ = "at+jwt" })}.{Json(Claims(issuer, "docaiche-api", now + 600))}.",
            "foreign-key" => Sign(rs256, Claims(issuer, "docaiche-api", now + 600)),
            "foreign-issuer" => Sign(rs256, Claims("https://evil.example/", "docaiche-api", now + 600)),
            "wrong-audience" => Sign(rs256, Claims(issuer, "someone-else", now + 600)),
            "expired-foreign" => Sign(rs256, Claims(issuer, "docaiche-api", now - 600)),
            _ => "not.a.jwt",
        };
        using var attacker = docaiche.CreateClient(token);

        using var response = await attacker.GetAsync("/api/v1/documents");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Theory]
    [InlineData("valid")]
    [InlineData("expired")]
    [InlineData("wrong-audience")]
    [InlineData("other-issuer")]
    [InlineData("no-tenant")]
    public async Task A_token_signed_with_the_real_key_is_refused_when_one_thing_is_wrong(string kind)
    {
        using var forger = await RealKeyForger.LoadAsync(docaiche);
        var issuer = Payload(docaiche.OwnerAccessToken).GetProperty("iss").GetString()!;
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var token = forger.Sign(kind switch
        {
            "expired" => (object)new { iss = issuer, aud = "docaiche-api", sub = "user:x", tenant = "default", role = new[] { "viewer" }, scope = "docaiche.api", iat = now - 3600, nbf = now - 3600, exp = now - 120 },
            "wrong-audience" => new { iss = issuer, aud = "another-api", sub = "user:x", tenant = "default", role = new[] { "viewer" }, scope = "docaiche.api", iat = now, exp = now + 600 },
            "other-issuer" => new { iss = "https://login.elsewhere.example/", aud = "docaiche-api", sub = "user:x", tenant = "default", role = new[] { "viewer" }, scope = "docaiche.api", iat = now, exp = now + 600 },
            "no-tenant" => new { iss = issuer, aud = "docaiche-api", sub = "user:x", role = new[] { "viewer" }, scope = "docaiche.api", iat = now, exp = now + 600 },
            _ => new { iss = issuer, aud = "docaiche-api", sub = "user:x", tenant = "default", role = new[] { "viewer" }, scope = "docaiche.api", iat = now, exp = now + 600 },
        });
        using var client = docaiche.CreateClient(token);

        using var response = await client.GetAsync("/api/v1/search?q=anything");

        // The control case proves the forger signs like the server; each other case differs in one claim.
        var expected = kind switch
        {
            "valid" => HttpStatusCode.OK,
            "no-tenant" => HttpStatusCode.Forbidden,
            _ => HttpStatusCode.Unauthorized,
        };
        Assert.Equal(expected, response.StatusCode);
    }

    [Fact]
    public async Task Introspection_tells_a_client_whether_its_token_is_active()
    {
        using var created = await Owner.PostAsJsonAsync("/api/v1/clients", new { displayName = "Introspecting", roles = new[] { "viewer" } });
        var client = await created.Content.ReadFromJsonAsync<JsonElement>();
        var clientId = client.GetProperty("clientId").GetString()!;
        var secret = client.GetProperty("clientSecret").GetString()!;
        var tokens = await OidcTestClient.ClientCredentialsAsync(docaiche.Anonymous, clientId, secret);

        using var response = await docaiche.Anonymous.PostAsync("/connect/introspect", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["token"] = tokens!.AccessToken,
            ["client_id"] = clientId,
            ["client_secret"] = secret,
        }));

        var introspection = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(introspection.GetProperty("active").GetBoolean());
        Assert.Equal($"client:{clientId}", introspection.GetProperty("sub").GetString());
    }

    [Fact]
    public async Task A_viewer_cannot_call_admin_endpoints()
    {
        var (email, password, _) = await CreateUserAsync("viewer");
        var viewer = await OidcTestClient.SignInAsync(docaiche.GatewayAddress, email, password);
        using var client = docaiche.CreateClient(viewer.AccessToken);

        using var users = await client.GetAsync("/api/v1/users");
        using var clients = await client.PostAsJsonAsync("/api/v1/clients", new { displayName = "x", roles = new[] { "viewer" } });
        using var me = await client.GetAsync("/api/v1/users/me");

        Assert.Equal(HttpStatusCode.Forbidden, users.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, clients.StatusCode);
        Assert.Equal(HttpStatusCode.OK, me.StatusCode);
    }

    [Fact]
    public async Task A_user_of_another_tenant_sees_and_changes_nothing_of_this_one()
    {
        var word = GatewayClient.UniqueWord("private");
        var secretDocument = await Owner.StoreDocumentAsync("Tenant A only", $"The {word} belongs to the default tenant.");
        await Eventually.Async(() => Owner.SearchAsync(word), r => r.Results.Count == 1, TimeSpan.FromSeconds(60), "the document to be indexed");
        var (_, _, victimId) = await CreateUserAsync("viewer");

        var tenantB = GatewayClient.UniqueWord("tenant").ToLowerInvariant();
        var ownerB = $"owner@{tenantB}.docaiche.local";
        var passwordB = Convert.ToBase64String(RandomNumberGenerator.GetBytes(18));
        using var createdTenant = await Owner.PostAsJsonAsync("/api/v1/tenants", new { id = tenantB, name = "Tenant B", ownerEmail = ownerB, ownerPassword = passwordB });
        Assert.Equal(HttpStatusCode.Created, createdTenant.StatusCode);
        var signedIn = await OidcTestClient.SignInAsync(docaiche.GatewayAddress, ownerB, passwordB);
        Assert.Equal(tenantB, Payload(signedIn.AccessToken).GetProperty("tenant").GetString());
        using var b = docaiche.CreateClient(signedIn.AccessToken);

        Assert.Empty((await b.SearchAsync(word)).Results);
        using var document = await b.GetAsync($"/api/v1/documents/{secretDocument.Id}");
        Assert.Equal(HttpStatusCode.NotFound, document.StatusCode);
        var usersOfB = await b.GetFromJsonAsync<List<JsonElement>>("/api/v1/users");
        Assert.Equal([ownerB], usersOfB!.Select(u => u.GetProperty("email").GetString()));
        using var takeover = await b.PutAsJsonAsync($"/api/v1/users/{victimId}/roles", new { roles = new[] { "admin" } });
        Assert.Equal(HttpStatusCode.NotFound, takeover.StatusCode);
        using var deletion = await b.DeleteAsync($"/api/v1/users/{victimId}");
        Assert.Equal(HttpStatusCode.NotFound, deletion.StatusCode);
        using var tenants = await b.GetAsync("/api/v1/tenants");
        Assert.Equal(HttpStatusCode.Forbidden, tenants.StatusCode);

        using var keyOfA = await Owner.PostAsJsonAsync("/api/v1/api-keys", new { name = "A's key", roles = new[] { "viewer" } });
        var keyId = (await keyOfA.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        using var revokeOfA = await b.DeleteAsync($"/api/v1/api-keys/{keyId}");
        Assert.Equal(HttpStatusCode.NotFound, revokeOfA.StatusCode);
        Assert.Empty((await b.GetFromJsonAsync<List<JsonElement>>("/api/v1/api-keys"))!);
        var keysOfA = await Owner.GetFromJsonAsync<List<JsonElement>>("/api/v1/api-keys");
        Assert.Contains(keysOfA!, k => k.GetProperty("id").GetGuid() == keyId && k.GetProperty("revokedAt").ValueKind == JsonValueKind.Null);
    }

    [Fact]
    public async Task An_api_key_works_through_the_gateway_until_it_is_revoked()
    {
        using var created = await Owner.PostAsJsonAsync("/api/v1/api-keys", new { name = "search script", roles = new[] { "viewer" } });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var key = await created.Content.ReadFromJsonAsync<JsonElement>();
        var secret = key.GetProperty("key").GetString()!;
        using var script = docaiche.CreateClient();
        script.DefaultRequestHeaders.Add("X-Api-Key", secret);

        using var allowed = await script.GetAsync("/api/v1/search?q=anything");
        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        using var forbidden = await script.PostAsJsonAsync("/api/v1/libraries", new { name = "no" });
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        var listed = await Owner.GetFromJsonAsync<List<JsonElement>>("/api/v1/api-keys");
        Assert.DoesNotContain(listed!, k => k.TryGetProperty("key", out var shown) && shown.ValueKind == JsonValueKind.String);

        using var revoked = await Owner.DeleteAsync($"/api/v1/api-keys/{key.GetProperty("id").GetGuid()}");
        Assert.Equal(HttpStatusCode.NoContent, revoked.StatusCode);
        await Task.Delay(TimeSpan.FromSeconds(DocAIcheFixture.ApiKeyCacheSeconds + 1));

        using var refused = await script.GetAsync("/api/v1/search?q=anything");
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
    }

    [Fact]
    public async Task An_unknown_api_key_is_refused_with_401_problem_details()
    {
        using var script = docaiche.CreateClient();
        script.DefaultRequestHeaders.Add("X-Api-Key", "dak_" + new string('x', 40));

        using var response = await script.GetAsync("/api/v1/search?q=anything");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Sign_ins_and_key_changes_reach_the_audit_trail()
    {
        var (email, password, id) = await CreateUserAsync("viewer");
        await OidcTestClient.SignInAsync(docaiche.GatewayAddress, email, password);

        var records = await Eventually.Async(() => Owner.AuditRecordsForAsync(id), r => r.Count >= 2, TimeSpan.FromSeconds(60), "the user's audit records");

        Assert.Contains(records, r => r.Action == "user.created");
        Assert.Contains(records, r => r.Action == "user.signed_in" && r.Actor == $"user:{id}");
    }
}
