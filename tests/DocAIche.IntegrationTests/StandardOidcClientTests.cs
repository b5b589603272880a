using System.Net;
using System.Security.Claims;
using System.Text.RegularExpressions;
using DocAIche.IntegrationTests.Support;
using Duende.IdentityModel.OidcClient;
using Duende.IdentityModel.OidcClient.Browser;
using Duende.IdentityModel.OidcClient.Results;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace DocAIche.IntegrationTests;

/// <summary>
/// A certified OpenID Connect client library (Duende.IdentityModel.OidcClient) signs in at exactly the
/// address the README gives: it checks that discovery's issuer is that address and that every endpoint
/// lies under it, runs authorization code with PKCE (S256), and the identity token is validated with
/// the provider's published keys.
/// </summary>
[Collection(DocAIcheCollection.Name)]
public sealed partial class StandardOidcClientTests(DocAIcheFixture docaiche)
{
    [Fact]
    public async Task A_standard_oidc_client_signs_in_at_the_readme_address()
    {
        var authority = $"http://127.0.0.1:{docaiche.GatewayAddress.Port}";
        var client = new OidcClient(new OidcClientOptions
        {
            Authority = authority,
            ClientId = OidcTestClient.CliClientId,
            Scope = OidcTestClient.Scopes,
            RedirectUri = $"http://127.0.0.1:{Random.Shared.Next(20000, 60000)}/callback",
            Browser = new SignInFormBrowser(DocAIcheFixture.OwnerEmail, docaiche.OwnerPassword),
            LoadProfile = false,
            IdentityTokenValidator = new SignedIdentityTokenValidator(docaiche.Anonymous),
            // The library's own discovery checks stay on: issuer name and endpoints under the authority.
            Policy = new Policy { Discovery = { RequireHttps = false } },
        });

        var result = await client.LoginAsync(new LoginRequest());

        Assert.False(result.IsError, result.Error + " " + result.ErrorDescription);
        Assert.Equal("default", Jwt.Claim(result.AccessToken, "tenant"));
        Assert.Equal(authority + "/", Jwt.Claim(result.AccessToken, "iss"));
        Assert.NotNull(result.RefreshToken);
        using var me = docaiche.CreateClient(result.AccessToken);
        Assert.Equal(HttpStatusCode.OK, (await me.GetAsync("/api/v1/users/me")).StatusCode);
    }

    [Fact]
    public async Task The_same_client_refuses_an_address_that_is_not_the_issuer()
    {
        // localhost reaches the same gateway, but it is not the issuer: a standard client must refuse it.
        var client = new OidcClient(new OidcClientOptions
        {
            Authority = $"http://localhost:{docaiche.GatewayAddress.Port}",
            ClientId = OidcTestClient.CliClientId,
            Scope = OidcTestClient.Scopes,
            RedirectUri = "http://127.0.0.1:45555/callback",
            Browser = new SignInFormBrowser(DocAIcheFixture.OwnerEmail, docaiche.OwnerPassword),
            Policy = new Policy { Discovery = { RequireHttps = false } },
        });

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => client.PrepareLoginAsync());

        Assert.Contains("Issuer name does not match authority", refused.Message, StringComparison.Ordinal);
    }

    /// <summary>The person at the browser: follows the redirects and fills in the sign-in form.</summary>
    private sealed partial class SignInFormBrowser(string email, string password) : IBrowser
    {
        public async Task<BrowserResult> InvokeAsync(BrowserOptions options, CancellationToken cancellationToken = default)
        {
            using var handler = new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer() };
            using var browser = new HttpClient(handler);
            var location = new Uri(options.StartUrl);
            for (var hop = 0; hop < 10; hop++)
            {
                if (location.AbsoluteUri.StartsWith(options.EndUrl, StringComparison.Ordinal))
                {
                    return new BrowserResult { ResultType = BrowserResultType.Success, Response = location.AbsoluteUri };
                }
                using var response = await browser.GetAsync(location, cancellationToken);
                if (response.StatusCode == HttpStatusCode.OK && location.AbsolutePath == "/account/signin")
                {
                    var form = await response.Content.ReadAsStringAsync(cancellationToken);
                    using var posted = await browser.PostAsync(new Uri(location, "/account/signin"), new FormUrlEncodedContent(new Dictionary<string, string>
                    {
                        ["__RequestVerificationToken"] = WebUtility.HtmlDecode(Field(form, "__RequestVerificationToken")),
                        ["returnUrl"] = WebUtility.HtmlDecode(Field(form, "returnUrl")),
                        ["email"] = email,
                        ["password"] = password,
                    }), cancellationToken);
                    if (posted.StatusCode != HttpStatusCode.Redirect)
                    {
                        return new BrowserResult { ResultType = BrowserResultType.UnknownError, Error = $"sign-in answered {posted.StatusCode}" };
                    }
                    location = new Uri(location, posted.Headers.Location!);
                    continue;
                }
                if (response.StatusCode is not (HttpStatusCode.Redirect or HttpStatusCode.Found or HttpStatusCode.SeeOther))
                {
                    return new BrowserResult { ResultType = BrowserResultType.UnknownError, Error = $"{location} answered {response.StatusCode}" };
                }
                location = new Uri(location, response.Headers.Location!);
            }
            return new BrowserResult { ResultType = BrowserResultType.UnknownError, Error = "too many redirects" };
        }

        private static string Field(string html, string name) =>
            Regex.Match(html, $"name=\"{Regex.Escape(name)}\" value=\"([^\"]*)\"").Groups[1].Value;
    }

    /// <summary>Validates the identity token's signature with the keys discovery published, and its issuer, audience and lifetime.</summary>
    private sealed class SignedIdentityTokenValidator(HttpClient http) : IIdentityTokenValidator
    {
        public async Task<IdentityTokenValidationResult> ValidateAsync(string identityToken, OidcClientOptions options, CancellationToken cancellationToken = default)
        {
            var jwks = await http.GetStringAsync(new Uri(new Uri(options.ProviderInformation.IssuerName), "/.well-known/jwks"), cancellationToken);
            var keys = new JsonWebKeySet(jwks).GetSigningKeys();
            var validated = await new JsonWebTokenHandler().ValidateTokenAsync(identityToken, new TokenValidationParameters
            {
                ValidIssuer = options.ProviderInformation.IssuerName,
                ValidAudience = options.ClientId,
                IssuerSigningKeys = keys,
                ValidAlgorithms = [SecurityAlgorithms.RsaSha256],
            });
            return validated.IsValid
                ? new IdentityTokenValidationResult { User = new ClaimsPrincipal(validated.ClaimsIdentity), SignatureAlgorithm = SecurityAlgorithms.RsaSha256 }
                : new IdentityTokenValidationResult { Error = validated.Exception?.Message ?? "invalid identity token" };
        }
    }
}
