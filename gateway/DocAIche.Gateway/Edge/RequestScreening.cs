namespace DocAIche.Gateway.Edge;

/// <summary>
/// Refuses requests that are malformed for their route before they are proxied: path tricks
/// (traversal, encoded slashes, backslashes, NUL), and API writes that are not JSON. Also adds the
/// security headers every answer carries.
/// </summary>
public static class RequestScreening
{
    private static readonly string[] ForbiddenInPath = ["..", "%2e", "%2f", "%5c", "\\", "%00", "\0"];

    public static IApplicationBuilder UseRequestScreening(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        context.Response.OnStarting(() =>
        {
            var headers = context.Response.Headers;
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers["Referrer-Policy"] = "no-referrer";
            headers["Cross-Origin-Opener-Policy"] = "same-origin";
            // The sign-in form needs its inline style and to post to itself; nothing else renders. The
            // console, which does render, sends a policy of its own for its pages.
            if (!headers.ContainsKey(Microsoft.Net.Http.Headers.HeaderNames.ContentSecurityPolicy))
            {
                headers.ContentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
            }
            if (context.Request.IsHttps)
            {
                headers.StrictTransportSecurity = "max-age=31536000; includeSubDomains";
            }
            return Task.CompletedTask;
        });

        var rawTarget = context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpRequestFeature>()?.RawTarget ?? context.Request.Path.Value ?? "";
        var rawPath = rawTarget.Split('?', 2)[0];
        if (ForbiddenInPath.Any(token => rawPath.Contains(token, StringComparison.OrdinalIgnoreCase)))
        {
            await Results.Problem(title: "Bad request path", detail: "The path contains a segment or encoding that is not allowed.",
                statusCode: StatusCodes.Status400BadRequest).ExecuteAsync(context);
            return;
        }

        var request = context.Request;
        var edge = context.RequestServices.GetRequiredService<Microsoft.Extensions.Options.IOptions<EdgeOptions>>().Value;
        var isUpload = IsUpload(request);
        var maxBody = isUpload ? edge.MaxUploadBodyBytes : edge.MaxRequestBodyBytes;
        if (isUpload && context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
        {
            size.MaxRequestBodySize = maxBody;
        }
        if (request.ContentLength > maxBody)
        {
            await Results.Problem(title: "Request body too large", detail: $"Bodies are limited to {maxBody} bytes.",
                statusCode: StatusCodes.Status413PayloadTooLarge).ExecuteAsync(context);
            return;
        }

        if (request.Path.StartsWithSegments("/api") &&
            (HttpMethods.IsPost(request.Method) || HttpMethods.IsPut(request.Method) || HttpMethods.IsPatch(request.Method)) &&
            (request.ContentLength > 0 || request.Headers.TransferEncoding.Count > 0) &&
            !IsJson(request.ContentType) && !(isUpload && IsMultipart(request.ContentType)))
        {
            await Results.Problem(title: "Unsupported media type", detail: "The API takes JSON bodies (Content-Type: application/json); uploads take multipart/form-data.",
                statusCode: StatusCodes.Status415UnsupportedMediaType).ExecuteAsync(context);
            return;
        }

        await next(context);
    });

    /// <summary>File uploads to a documentation source: the one API write that is not JSON.</summary>
    private static bool IsUpload(HttpRequest request) =>
        HttpMethods.IsPost(request.Method) &&
        request.Path.StartsWithSegments("/api/v1/sources") &&
        request.Path.Value!.EndsWith("/uploads", StringComparison.Ordinal);

    private static bool IsMultipart(string? contentType) =>
        contentType is not null && contentType.StartsWith("multipart/form-data", StringComparison.OrdinalIgnoreCase);

    private static bool IsJson(string? contentType) =>
        contentType is not null &&
        (contentType.StartsWith("application/json", StringComparison.OrdinalIgnoreCase) ||
         contentType.Split(';')[0].Trim().EndsWith("+json", StringComparison.OrdinalIgnoreCase));
}
