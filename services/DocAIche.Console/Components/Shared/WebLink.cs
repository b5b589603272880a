namespace DocAIche.Console.Components.Shared;

public static class WebLink
{
    /// <summary>Only web links are made clickable: a page's URL could say javascript: or data:.</summary>
    public static string? Safe(string? url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp) ? uri.AbsoluteUri : null;
}
