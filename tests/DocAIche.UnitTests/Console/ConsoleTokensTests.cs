using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Security.Claims;
using DocAIche.Console.Session;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;

namespace DocAIche.UnitTests.Console;

/// <summary>
/// The console's server-side token handling: an access token near its end is refreshed at the token
/// endpoint with the session's refresh token, once however many pages ask together, and a refused
/// refresh ends the session. The token endpoint is an in-memory handler: nothing leaves the process.
/// </summary>
public sealed class ConsoleTokensTests
{
    private const string Session = "session-1";

    [Fact]
    public async Task A_token_with_time_left_is_used_as_it_is()
    {
        var setup = new Setup(expiresIn: TimeSpan.FromMinutes(10));

        Assert.Equal("access-1", await setup.Tokens().AccessTokenAsync(CancellationToken.None));
        Assert.Equal(0, setup.TokenEndpoint.Calls);
    }

    [Fact]
    public async Task A_token_about_to_expire_is_refreshed_and_the_session_keeps_the_new_tokens()
    {
        var setup = new Setup(expiresIn: TimeSpan.FromSeconds(30));

        Assert.Equal("access-2", await setup.Tokens().AccessTokenAsync(CancellationToken.None));

        var form = Assert.Single(setup.TokenEndpoint.Forms);
        Assert.Equal("refresh_token", form["grant_type"]);
        Assert.Equal("refresh-1", form["refresh_token"]);
        Assert.Equal(("docaiche-console", "console-secret"), (form["client_id"], form["client_secret"]));
        var ticket = (await setup.Store.RetrieveAsync(Session))!;
        Assert.Equal("access-2", ticket.Properties.GetTokenValue("access_token"));
        Assert.Equal("refresh-2", ticket.Properties.GetTokenValue("refresh_token"));
        Assert.True(DateTimeOffset.Parse(ticket.Properties.GetTokenValue("expires_at")!, CultureInfo.InvariantCulture) > DateTimeOffset.UtcNow.AddMinutes(4));
        // The next call uses the refreshed token without asking again.
        Assert.Equal("access-2", await setup.Tokens().AccessTokenAsync(CancellationToken.None));
        Assert.Equal(1, setup.TokenEndpoint.Calls);
    }

    [Fact]
    public async Task Pages_of_one_session_asking_together_refresh_once()
    {
        var setup = new Setup(expiresIn: TimeSpan.FromSeconds(30));
        setup.TokenEndpoint.Delay = TimeSpan.FromMilliseconds(200);

        var tokens = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => setup.Tokens().AccessTokenAsync(CancellationToken.None)));

        Assert.All(tokens, token => Assert.Equal("access-2", token));
        Assert.Equal(1, setup.TokenEndpoint.Calls);
    }

    [Fact]
    public async Task A_refused_refresh_ends_the_session()
    {
        var setup = new Setup(expiresIn: TimeSpan.FromSeconds(30));
        setup.TokenEndpoint.Refuse = true;

        Assert.Null(await setup.Tokens().AccessTokenAsync(CancellationToken.None));
        Assert.Null(await setup.Store.RetrieveAsync(Session));
    }

    [Fact]
    public async Task No_session_no_token()
    {
        var setup = new Setup(expiresIn: TimeSpan.FromMinutes(10));

        Assert.Null(await setup.Tokens().AccessTokenAsync(new ClaimsPrincipal(new ClaimsIdentity()), CancellationToken.None));
        Assert.Equal(0, setup.TokenEndpoint.Calls);
    }

    private sealed class Setup
    {
        public Setup(TimeSpan expiresIn)
        {
            var properties = new AuthenticationProperties();
            properties.StoreTokens(
            [
                new AuthenticationToken { Name = "access_token", Value = "access-1" },
                new AuthenticationToken { Name = "refresh_token", Value = "refresh-1" },
                new AuthenticationToken { Name = "expires_at", Value = DateTimeOffset.UtcNow.Add(expiresIn).ToString("o", CultureInfo.InvariantCulture) },
            ]);
            Store.Tickets[Session] = new AuthenticationTicket(Principal, properties, CookieAuthenticationDefaults.AuthenticationScheme);
        }

        public ClaimsPrincipal Principal { get; } = new(new ClaimsIdentity([new Claim(RedisTicketStore.SessionClaim, Session)], "test"));

        public MemoryTicketStore Store { get; } = new();

        public TokenEndpoint TokenEndpoint { get; } = new();

        public ConsoleTokens Tokens()
        {
            var options = new OpenIdConnectOptions
            {
                ClientId = "docaiche-console",
                ClientSecret = "console-secret",
                ConfigurationManager = new StaticConfigurationManager<OpenIdConnectConfiguration>(
                    new OpenIdConnectConfiguration { TokenEndpoint = "http://127.0.0.1:9/connect/token" }),
            };
            return new ConsoleTokens(new Signedin(Principal), Store, new Clients(TokenEndpoint), new Monitor(options), TimeProvider.System,
                NullLogger<ConsoleTokens>.Instance);
        }
    }

    private sealed class Signedin(ClaimsPrincipal principal) : AuthenticationStateProvider
    {
        public override Task<AuthenticationState> GetAuthenticationStateAsync() => Task.FromResult(new AuthenticationState(principal));
    }

    public sealed class MemoryTicketStore : ITicketStore
    {
        public ConcurrentDictionary<string, AuthenticationTicket> Tickets { get; } = new();

        public Task<string> StoreAsync(AuthenticationTicket ticket) => throw new NotSupportedException();

        public Task RenewAsync(string key, AuthenticationTicket ticket)
        {
            Tickets[key] = ticket;
            return Task.CompletedTask;
        }

        public Task<AuthenticationTicket?> RetrieveAsync(string key) => Task.FromResult(Tickets.TryGetValue(key, out var ticket) ? ticket : null);

        public Task RemoveAsync(string key)
        {
            Tickets.TryRemove(key, out _);
            return Task.CompletedTask;
        }
    }

    /// <summary>The token server's refresh grant, answered in memory.</summary>
    public sealed class TokenEndpoint : HttpMessageHandler
    {
        private int calls;

        public int Calls => calls;

        public ConcurrentQueue<Dictionary<string, string>> Forms { get; } = new();

        public bool Refuse { get; set; }

        public TimeSpan Delay { get; set; }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref calls);
            var form = (await request.Content!.ReadAsStringAsync(cancellationToken)).Split('&')
                .Select(pair => pair.Split('=', 2)).ToDictionary(pair => Uri.UnescapeDataString(pair[0]), pair => Uri.UnescapeDataString(pair[1]));
            Forms.Enqueue(form);
            await Task.Delay(Delay, cancellationToken);
            return Refuse
                ? new HttpResponseMessage(HttpStatusCode.BadRequest) { Content = new StringContent("""{"error":"invalid_grant"}""") }
                : new HttpResponseMessage(HttpStatusCode.OK)
                {
                    Content = new StringContent("""{"access_token":"access-2","refresh_token":"refresh-2","expires_in":300,"token_type":"Bearer"}""",
                        System.Text.Encoding.UTF8, "application/json"),
                };
        }
    }

    private sealed class Clients(HttpMessageHandler handler) : IHttpClientFactory
    {
        public HttpClient CreateClient(string name) => new(handler, disposeHandler: false);
    }

    private sealed class Monitor(OpenIdConnectOptions options) : IOptionsMonitor<OpenIdConnectOptions>
    {
        public OpenIdConnectOptions CurrentValue => options;

        public OpenIdConnectOptions Get(string? name) => options;

        public IDisposable? OnChange(Action<OpenIdConnectOptions, string?> listener) => null;
    }
}
