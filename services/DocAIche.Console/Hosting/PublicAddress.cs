using DocAIche.ServiceDefaults.Authentication;
using Microsoft.Extensions.Options;

namespace DocAIche.Console.Hosting;

/// <summary>
/// The console answers at the public address only (the gateway's, which is also the token issuer):
/// sign-in sends the browser back there, so a page opened under another name for the same place
/// (localhost for 127.0.0.1, say) is sent to the public one first, or the sign-in could not finish.
/// Every page also gets the console's content security policy: its own scripts, styles and live
/// connection, nothing from elsewhere, no framing.
/// </summary>
public static class PublicAddress
{
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self'; " +
        "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'self'; object-src 'none'";

    public static IApplicationBuilder UsePublicAddress(this IApplicationBuilder app)
    {
        var issuer = new Uri(app.ApplicationServices.GetRequiredService<IOptions<DocAIcheAuthenticationOptions>>().Value.Issuer);
        return app.Use(async (context, next) =>
        {
            var request = context.Request;
            // Probes come straight to the console's own port, not through the gateway.
            var probe = request.Path.StartsWithSegments(ServiceDefaultsExtensions.HealthPath) ||
                request.Path.StartsWithSegments(ServiceDefaultsExtensions.AlivePath) ||
                request.Path.StartsWithSegments(ServiceDefaultsExtensions.MetricsPath);
            if (!probe && (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method)) &&
                !string.Equals(request.Host.Value, issuer.Authority, StringComparison.OrdinalIgnoreCase))
            {
                context.Response.Redirect(new Uri(issuer, request.PathBase + request.Path + request.QueryString).AbsoluteUri);
                return;
            }
            context.Response.Headers.ContentSecurityPolicy = ContentSecurityPolicy;
            await next(context);
        });
    }
}
