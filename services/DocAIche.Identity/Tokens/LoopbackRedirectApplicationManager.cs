using Microsoft.Extensions.Options;
using OpenIddict.Abstractions;
using OpenIddict.Core;
using OpenIddict.EntityFrameworkCore.Models;

namespace DocAIche.Identity.Tokens;

/// <summary>
/// Lets native clients redirect to a loopback address on any port (RFC 8252, section 7.3): a
/// registered <c>http://127.0.0.1/callback</c> accepts <c>http://127.0.0.1:53117/callback</c>.
/// </summary>
public sealed class LoopbackRedirectApplicationManager(
    IOpenIddictApplicationCache<OpenIddictEntityFrameworkCoreApplication> cache,
    ILogger<OpenIddictApplicationManager<OpenIddictEntityFrameworkCoreApplication>> logger,
    IOptionsMonitor<OpenIddictCoreOptions> options,
    IOpenIddictApplicationStore<OpenIddictEntityFrameworkCoreApplication> store)
    : OpenIddictApplicationManager<OpenIddictEntityFrameworkCoreApplication>(cache, logger, options, store)
{
    public override async ValueTask<bool> ValidateRedirectUriAsync(
        OpenIddictEntityFrameworkCoreApplication application, string uri, CancellationToken cancellationToken = default)
    {
        if (await base.ValidateRedirectUriAsync(application, uri, cancellationToken))
        {
            return true;
        }
        if (!Uri.TryCreate(uri, UriKind.Absolute, out var requested) || requested.Scheme != Uri.UriSchemeHttp || !requested.IsLoopback
            || !string.IsNullOrEmpty(requested.UserInfo))
        {
            return false;
        }
        var withoutPort = new UriBuilder(requested) { Port = -1 }.Uri.AbsoluteUri;
        return await base.ValidateRedirectUriAsync(application, withoutPort, cancellationToken);
    }
}
