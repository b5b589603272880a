using System.Net;
using System.Net.Http.Json;

namespace DocAIche.IntegrationTests.Support;

public static class Tenants
{
    /// <summary>Creates a tenant and signs in as its owner; returns the owner's access token.</summary>
    public static async Task<string> NewTenantOwnerTokenAsync(this DocAIcheFixture docaiche)
    {
        var tenant = GatewayClient.UniqueWord("tenant").ToLowerInvariant();
        var email = $"owner@{tenant}.docaiche.local";
        var password = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(18));
        using var created = await docaiche.Gateway.PostAsJsonAsync("/api/v1/tenants", new { id = tenant, name = "Another tenant", ownerEmail = email, ownerPassword = password });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return (await OidcTestClient.SignInAsync(docaiche.GatewayAddress, email, password)).AccessToken;
    }
}
