using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.DataProtection;
using StackExchange.Redis;

namespace DocAIche.Console.Session;

/// <summary>
/// Console sessions on the server: the browser's cookie holds only a session id; the signed-in
/// person's claims and tokens stay in Redis, encrypted with the console's data-protection keys, for
/// as long as the session lasts. Any console instance can read them.
/// </summary>
public sealed class RedisTicketStore(IConnectionMultiplexer redis, IDataProtectionProvider protection, TimeProvider time) : ITicketStore
{
    /// <summary>The claim that names the session, so interactive pages can find its tokens.</summary>
    public const string SessionClaim = "docaiche:console-session";

    private const string Prefix = "docaiche:console:session:";

    private readonly IDataProtector protector = protection.CreateProtector("DocAIche.Console.Session");

    public async Task<string> StoreAsync(AuthenticationTicket ticket)
    {
        var key = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        await RenewAsync(key, WithSessionClaim(ticket, key));
        return key;
    }

    public Task RenewAsync(string key, AuthenticationTicket ticket)
    {
        var expires = ticket.Properties.ExpiresUtc is { } at ? at - time.GetUtcNow() : TimeSpan.FromHours(8);
        var bytes = protector.Protect(TicketSerializer.Default.Serialize(WithSessionClaim(ticket, key)));
        return redis.GetDatabase().StringSetAsync(Prefix + key, bytes, expires > TimeSpan.Zero ? expires : TimeSpan.FromSeconds(1));
    }

    public async Task<AuthenticationTicket?> RetrieveAsync(string key)
    {
        var value = await redis.GetDatabase().StringGetAsync(Prefix + key);
        if (value.IsNull)
        {
            return null;
        }
        try
        {
            return TicketSerializer.Default.Deserialize(protector.Unprotect((byte[])value!));
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            // Keys rotated away or a tampered entry: the session is over.
            return null;
        }
    }

    public Task RemoveAsync(string key) => redis.GetDatabase().KeyDeleteAsync(Prefix + key);

    private static AuthenticationTicket WithSessionClaim(AuthenticationTicket ticket, string key)
    {
        if (ticket.Principal.FindFirst(SessionClaim)?.Value == key)
        {
            return ticket;
        }
        var identity = new ClaimsIdentity(ticket.Principal.Identity as ClaimsIdentity ?? new ClaimsIdentity(CookieAuthenticationDefaults.AuthenticationScheme));
        foreach (var stale in identity.FindAll(SessionClaim).ToList())
        {
            identity.RemoveClaim(stale);
        }
        identity.AddClaim(new Claim(SessionClaim, key));
        return new AuthenticationTicket(new ClaimsPrincipal(identity), ticket.Properties, ticket.AuthenticationScheme);
    }
}
