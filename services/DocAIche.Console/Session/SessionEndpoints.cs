using DocAIche.Contracts.Identity;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;

namespace DocAIche.Console.Session;

/// <summary>Signing in (through DocAIche's own sign-in form) and out of the console.</summary>
public static class SessionEndpoints
{
    public const string SignInPath = "/console/sign-in";
    public const string SignOutPath = "/console/sign-out";

    public static IEndpointRouteBuilder MapConsoleSession(this IEndpointRouteBuilder app)
    {
        app.MapGet(SignInPath, (string? returnUrl) =>
            TypedResults.Challenge(new AuthenticationProperties { RedirectUri = LocalOnly(returnUrl) }, [OpenIdConnectDefaults.AuthenticationScheme]))
            .AllowAnonymous();

        // A form post with the antiforgery token: a link elsewhere cannot sign someone out.
        app.MapPost(SignOutPath, () =>
            TypedResults.SignOut(new AuthenticationProperties { RedirectUri = "/" },
                [CookieAuthenticationDefaults.AuthenticationScheme, OpenIdConnectDefaults.AuthenticationScheme]))
            .WithMetadata(new RequireAntiforgeryTokenAttribute())
            .AllowAnonymous();
        return app;
    }

    /// <summary>A path in the console to come back to; anything else (another site) becomes the start page.</summary>
    public static string LocalOnly(string? returnUrl) =>
        returnUrl is { Length: > 0 } && returnUrl[0] == '/' && !returnUrl.StartsWith("//", StringComparison.Ordinal) &&
        !returnUrl.StartsWith("/\\", StringComparison.Ordinal) && !returnUrl.StartsWith(ConsoleClient.CallbackPath, StringComparison.Ordinal)
            ? returnUrl
            : "/";
}
