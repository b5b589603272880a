using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;

namespace DocAIche.IntegrationTests.Support;

public sealed record TokenResponse(
    [property: JsonPropertyName("access_token")] string AccessToken,
    [property: JsonPropertyName("refresh_token")] string? RefreshToken,
    [property: JsonPropertyName("id_token")] string? IdToken,
    [property: JsonPropertyName("expires_in")] int ExpiresIn);

/// <summary>
/// A native OAuth client as the DocAIche command line would be (shared by the tests and the
/// benchmarks, so it reports surprises as exceptions rather than test assertions): authorization code with PKCE
/// through the real sign-in form (antiforgery token included), refresh, revocation.
/// </summary>
public static partial class OidcTestClient
{
    public const string CliClientId = "docaiche-cli"; // as a client program knows it (this file is shared with the benchmarks, which stand outside the services)
    public const string Scopes = "openid profile email offline_access docaiche.api";

    /// <summary>Signs in through the form and returns the tokens; fails the test on any unexpected answer.</summary>
    public static async Task<TokenResponse> SignInAsync(Uri gateway, string email, string password)
    {
        var (status, tokens, _) = await TrySignInAsync(gateway, email, password);
        Expect(status == HttpStatusCode.Redirect && tokens is not null, $"Sign-in answered {status}.");
        return tokens!;
    }

    /// <summary>Runs the flow; returns the sign-in form's status, and the tokens when it succeeded.</summary>
    public static async Task<(HttpStatusCode FormStatus, TokenResponse? Tokens, string FormHtml)> TrySignInAsync(Uri gateway, string email, string password)
    {
        using var handler = new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer() };
        using var browser = new HttpClient(handler) { BaseAddress = gateway };
        var flow = await BeginAsync(browser);
        using var posted = await PostFormAsync(browser, flow.Form, email, password);
        if (posted.StatusCode != HttpStatusCode.Redirect)
        {
            return (posted.StatusCode, null, await posted.Content.ReadAsStringAsync());
        }
        return (posted.StatusCode, await FinishAsync(browser, posted.Headers.Location!, flow), flow.Form);
    }

    /// <summary>What a sign-in with a second step came to: the tokens, or the status and page that stopped it.</summary>
    public sealed record SecondStepAttempt(HttpStatusCode Status, TokenResponse? Tokens, string Page, string? PasswordStepPage);

    /// <summary>
    /// Password, then the second step's page (a code to enter, or an authenticator to enrol), answered
    /// with what <paramref name="answer"/> makes of that page; on to the client when it is accepted,
    /// through the recovery codes page when it was an enrolment.
    /// </summary>
    public static async Task<SecondStepAttempt> SignInWithSecondStepAsync(Uri gateway, string email, string password, Func<string, string> answer, string? ticketOverride = null)
    {
        using var handler = new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer() };
        using var browser = new HttpClient(handler) { BaseAddress = gateway };
        var flow = await BeginAsync(browser);
        using var posted = await PostFormAsync(browser, flow.Form, email, password);
        var secondStep = await posted.Content.ReadAsStringAsync();
        if (posted.StatusCode != HttpStatusCode.OK || !secondStep.Contains("name=\"ticket\"", StringComparison.Ordinal))
        {
            return new(posted.StatusCode, null, secondStep, null);
        }
        using var coded = await browser.PostAsync("/account/signin/code", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = HiddenField(secondStep, "__RequestVerificationToken"),
            ["returnUrl"] = WebUtility.HtmlDecode(HiddenField(secondStep, "returnUrl")),
            ["ticket"] = ticketOverride ?? WebUtility.HtmlDecode(HiddenField(secondStep, "ticket")),
            ["code"] = answer(secondStep),
        }));
        var page = await coded.Content.ReadAsStringAsync();
        if (coded.StatusCode == HttpStatusCode.Redirect)
        {
            return new(coded.StatusCode, await FinishAsync(browser, coded.Headers.Location!, flow), page, secondStep);
        }
        if (coded.StatusCode == HttpStatusCode.OK && Regex.Match(page, "id=\"continue\" href=\"([^\"]+)\"") is { Success: true } next)
        {
            return new(coded.StatusCode, await FinishAsync(browser, new Uri(WebUtility.HtmlDecode(next.Groups[1].Value), UriKind.Relative), flow), page, secondStep);
        }
        return new(coded.StatusCode, null, page, secondStep);
    }

    /// <summary>What a single sign-on attempt came to: the tokens, or the status and page that refused it.</summary>
    public sealed record FederatedAttempt(HttpStatusCode Status, TokenResponse? Tokens, string Page, Uri? ProviderCallback);

    /// <summary>
    /// Single sign-on as a browser does it: the email alone on the sign-in form, to the tenant's
    /// provider, back to DocAIche's callback, on to the client. With <paramref name="stopAtCallback"/>
    /// the provider's answer is returned undelivered (for tests that deliver it elsewhere).
    /// </summary>
    public static async Task<FederatedAttempt> FederatedSignInAsync(Uri gateway, string email, bool stopAtCallback = false)
    {
        using var handler = new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer() };
        using var browser = new HttpClient(handler) { BaseAddress = gateway };
        var flow = await BeginAsync(browser);
        using var posted = await PostFormAsync(browser, flow.Form, email, password: null);
        if (posted.StatusCode != HttpStatusCode.Redirect)
        {
            return new(posted.StatusCode, null, await posted.Content.ReadAsStringAsync(), null);
        }
        using var atProvider = await browser.GetAsync(posted.Headers.Location);
        if (atProvider.StatusCode != HttpStatusCode.Redirect)
        {
            return new(atProvider.StatusCode, null, await atProvider.Content.ReadAsStringAsync(), null);
        }
        var callback = atProvider.Headers.Location!;
        if (stopAtCallback)
        {
            return new(atProvider.StatusCode, null, "", callback);
        }
        using var back = await browser.GetAsync(callback);
        if (back.StatusCode != HttpStatusCode.Redirect)
        {
            return new(back.StatusCode, null, await back.Content.ReadAsStringAsync(), callback);
        }
        return new(back.StatusCode, await FinishAsync(browser, back.Headers.Location!, flow), "", callback);
    }

    private sealed record Flow(string Form, string RedirectUri, string State, string Verifier);

    /// <summary>The client's authorization request, which sends the browser to the sign-in form; returns the form.</summary>
    private static async Task<Flow> BeginAsync(HttpClient browser)
    {
        var verifier = Base64Url(RandomNumberGenerator.GetBytes(32));
        var challenge = Base64Url(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));
        var redirectUri = $"http://127.0.0.1:{Random.Shared.Next(20000, 60000)}/callback"; // any loopback port (RFC 8252)
        var state = Base64Url(RandomNumberGenerator.GetBytes(16));
        var authorize = "/connect/authorize?" + string.Join("&", new Dictionary<string, string>
        {
            ["client_id"] = CliClientId,
            ["response_type"] = "code",
            ["redirect_uri"] = redirectUri,
            ["scope"] = Scopes,
            ["code_challenge"] = challenge,
            ["code_challenge_method"] = "S256",
            ["state"] = state,
        }.Select(p => $"{p.Key}={Uri.EscapeDataString(p.Value)}"));

        using var toSignIn = await browser.GetAsync(authorize);
        Expect(toSignIn.StatusCode == HttpStatusCode.Redirect, $"The authorization endpoint answered {toSignIn.StatusCode}, not a redirect to sign in.");
        var signInPage = toSignIn.Headers.Location!;
        Expect((signInPage.IsAbsoluteUri ? signInPage.AbsolutePath : signInPage.OriginalString.Split('?')[0]) == "/account/signin", $"Redirected to {signInPage}, not the sign-in form.");
        return new Flow(await browser.GetStringAsync(signInPage), redirectUri, state, verifier);
    }

    private static Task<HttpResponseMessage> PostFormAsync(HttpClient browser, string form, string email, string? password)
    {
        var fields = new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = HiddenField(form, "__RequestVerificationToken"),
            ["returnUrl"] = WebUtility.HtmlDecode(HiddenField(form, "returnUrl")),
            ["email"] = email,
        };
        if (password is not null)
        {
            fields["password"] = password;
        }
        return browser.PostAsync("/account/signin", new FormUrlEncodedContent(fields));
    }

    /// <summary>Back at the authorization endpoint signed in: on to the client's loopback address with a code, which is redeemed.</summary>
    private static async Task<TokenResponse?> FinishAsync(HttpClient browser, Uri authorization, Flow flow)
    {
        using var toClient = await browser.GetAsync(authorization);
        Expect(toClient.StatusCode == HttpStatusCode.Redirect, $"After sign-in the authorization endpoint answered {toClient.StatusCode}.");
        var callback = toClient.Headers.Location!;
        Expect(callback.ToString().StartsWith(flow.RedirectUri, StringComparison.Ordinal), $"Redirected to {callback}, not the client's loopback address.");
        var query = System.Web.HttpUtility.ParseQueryString(callback.Query);
        Expect(query["state"] == flow.State, "The state came back changed.");

        return await RequestTokensAsync(browser, new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code",
            ["code"] = query["code"]!,
            ["redirect_uri"] = flow.RedirectUri,
            ["client_id"] = CliClientId,
            ["code_verifier"] = flow.Verifier,
        });
    }

    public static async Task<TokenResponse?> RefreshAsync(HttpClient gateway, string refreshToken) =>
        await RequestTokensAsync(gateway, new Dictionary<string, string>
        {
            ["grant_type"] = "refresh_token",
            ["refresh_token"] = refreshToken,
            ["client_id"] = CliClientId,
        });

    public static async Task<TokenResponse?> ClientCredentialsAsync(HttpClient gateway, string clientId, string clientSecret) =>
        await RequestTokensAsync(gateway, new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = clientId,
            ["client_secret"] = clientSecret,
            ["scope"] = "docaiche.api",
        });

    public static async Task<TokenResponse?> RequestTokensAsync(HttpClient gateway, Dictionary<string, string> form)
    {
        using var response = await gateway.PostAsync("/connect/token", new FormUrlEncodedContent(form));
        return response.IsSuccessStatusCode ? await response.Content.ReadFromJsonAsync<TokenResponse>() : null;
    }

    private static string HiddenField(string html, string name)
    {
        var match = Regex.Match(html, $"name=\"{Regex.Escape(name)}\" value=\"([^\"]*)\"");
        Expect(match.Success, $"The sign-in form has no {name} field.");
        return match.Groups[1].Value;
    }

    private static void Expect(bool condition, string problem)
    {
        if (!condition)
        {
            throw new InvalidOperationException(problem);
        }
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
