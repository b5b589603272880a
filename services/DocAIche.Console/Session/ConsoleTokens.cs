using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.Extensions.Options;

namespace DocAIche.Console.Session;

/// <summary>
/// The signed-in person's access token for the API calls of one page (a circuit): read from the
/// session on the server, and refreshed there with the refresh token when it is about to expire. The
/// browser never sees either token.
/// </summary>
public sealed partial class ConsoleTokens(
    AuthenticationStateProvider authentication,
    ITicketStore sessions,
    IHttpClientFactory clients,
    IOptionsMonitor<OpenIdConnectOptions> oidc,
    TimeProvider time,
    ILogger<ConsoleTokens> logger)
{
    public const string HttpClientName = "console-tokens";

    /// <summary>A token with less than this left is refreshed before use.</summary>
    private static readonly TimeSpan RefreshMargin = TimeSpan.FromMinutes(1);

    // A refresh token works once: two pages of one session refreshing together would revoke the session.
    private static readonly ConcurrentDictionary<string, SemaphoreSlim> Refreshing = new();

    /// <summary>The access token, or null when the session has ended (signed out, expired, or refused by the token server).</summary>
    public async Task<string?> AccessTokenAsync(CancellationToken cancellationToken) =>
        await AccessTokenAsync((await authentication.GetAuthenticationStateAsync()).User, cancellationToken);

    /// <summary>The access token of <paramref name="user"/>'s session (for a plain request, where no page's authentication state exists).</summary>
    public async Task<string?> AccessTokenAsync(ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        if (user.FindFirst(RedisTicketStore.SessionClaim)?.Value is not { } session)
        {
            return null;
        }
        var ticket = await sessions.RetrieveAsync(session, cancellationToken);
        if (ticket is null)
        {
            return null;
        }
        if (Usable(ticket) is { } token)
        {
            return token;
        }

        var turn = Refreshing.GetOrAdd(session, _ => new SemaphoreSlim(1, 1));
        await turn.WaitAsync(cancellationToken);
        try
        {
            // Another page of this session may have refreshed meanwhile.
            ticket = await sessions.RetrieveAsync(session, cancellationToken);
            if (ticket is null)
            {
                return null;
            }
            return Usable(ticket) ?? await RefreshAsync(session, ticket, cancellationToken);
        }
        finally
        {
            turn.Release();
            Refreshing.TryRemove(KeyValuePair.Create(session, turn));
        }
    }

    private string? Usable(AuthenticationTicket ticket)
    {
        var token = ticket.Properties.GetTokenValue("access_token");
        var expiresAt = DateTimeOffset.TryParse(ticket.Properties.GetTokenValue("expires_at"), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var at)
            ? at
            : DateTimeOffset.MinValue;
        return token is not null && expiresAt - time.GetUtcNow() > RefreshMargin ? token : null;
    }

    private async Task<string?> RefreshAsync(string session, AuthenticationTicket ticket, CancellationToken cancellationToken)
    {
        if (ticket.Properties.GetTokenValue("refresh_token") is not { } refreshToken)
        {
            return null;
        }
        var options = oidc.Get(OpenIdConnectDefaults.AuthenticationScheme);
        var configuration = await options.ConfigurationManager!.GetConfigurationAsync(cancellationToken);
        using var request = new HttpRequestMessage(HttpMethod.Post, configuration.TokenEndpoint)
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["grant_type"] = "refresh_token",
                ["refresh_token"] = refreshToken,
                ["client_id"] = options.ClientId!,
                ["client_secret"] = options.ClientSecret!,
            }),
        };
        using var response = await clients.CreateClient(HttpClientName).SendAsync(request, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            // Revoked, expired, or the person was disabled: the session is over.
            LogRefreshRefused(logger, (int)response.StatusCode);
            await sessions.RemoveAsync(session, cancellationToken);
            return null;
        }
        var answer = await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
        var accessToken = answer.GetProperty("access_token").GetString()!;
        var expiresIn = answer.TryGetProperty("expires_in", out var seconds) ? seconds.GetInt32() : 300;
        ticket.Properties.UpdateTokenValue("access_token", accessToken);
        if (answer.TryGetProperty("refresh_token", out var rotated) && rotated.GetString() is { } next)
        {
            ticket.Properties.UpdateTokenValue("refresh_token", next);
        }
        ticket.Properties.UpdateTokenValue("expires_at", time.GetUtcNow().AddSeconds(expiresIn).ToString("o", CultureInfo.InvariantCulture));
        await sessions.RenewAsync(session, ticket, cancellationToken);
        return accessToken;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "The token server refused to refresh a console session ({Status}); it is signed out")]
    private static partial void LogRefreshRefused(ILogger logger, int status);
}
