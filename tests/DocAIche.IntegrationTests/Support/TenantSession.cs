using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace DocAIche.IntegrationTests.Support;

/// <summary>A tenant of its own and its owner, signed in; tests that read a whole audit chain need one nobody else writes to.</summary>
public sealed class TenantSession(DocAIcheFixture docaiche, string tenantId, string ownerSubject, HttpClient owner) : IDisposable
{
    public string TenantId { get; } = tenantId;

    /// <summary>The owner as tokens name them (<c>user:{id}</c>).</summary>
    public string OwnerSubject { get; } = ownerSubject;

    public HttpClient Owner { get; } = owner;

    public static async Task<TenantSession> StartAsync(DocAIcheFixture docaiche)
    {
        var token = await docaiche.NewTenantOwnerTokenAsync();
        return new TenantSession(docaiche, Jwt.Claim(token, "tenant"), Jwt.Claim(token, "sub"), docaiche.CreateClient(token));
    }

    /// <summary>A user of this tenant, created by the owner and signed in.</summary>
    public async Task<TenantUser> CreateUserAsync(string displayName, params string[] roles)
    {
        var email = $"{GatewayClient.UniqueWord("person")}@{TenantId}.docaiche.local";
        var password = Convert.ToBase64String(RandomNumberGenerator.GetBytes(18));
        using var response = await Owner.PostAsJsonAsync("/api/v1/users", new { email, displayName, password, roles });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        var token = (await OidcTestClient.SignInAsync(docaiche.GatewayAddress, email, password)).AccessToken;
        return new TenantUser(id, email, password, displayName, docaiche.CreateClient(token));
    }

    public void Dispose() => Owner.Dispose();
}

public sealed record TenantUser(Guid Id, string Email, string Password, string DisplayName, HttpClient Client)
{
    public string Subject => $"user:{Id}";
}

public static class Jwt
{
    /// <summary>A claim of an access token, read without validation (the test only needs to know what it says).</summary>
    public static string Claim(string token, string name) => Payload(token).GetProperty(name).GetString()!;

    /// <summary>Whether an access token carries the claim at all.</summary>
    public static bool Has(string token, string name) => Payload(token).TryGetProperty(name, out _);

    private static JsonElement Payload(string token)
    {
        var payload = token.Split('.')[1].Replace('-', '+').Replace('_', '/');
        payload = payload.PadRight(payload.Length + ((4 - (payload.Length % 4)) % 4), '=');
        using var json = JsonDocument.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(payload)));
        return json.RootElement.Clone();
    }
}
