using System.Diagnostics;
using System.Text;
using DocAIche.Contracts.LiveUpdates;
using DocAIche.Gateway.Correlation;
using Microsoft.Net.Http.Headers;

namespace DocAIche.Gateway.Live;

/// <summary>
/// The opening request the gateway sends the live endpoint for a client's <c>/ws</c>: the client's
/// method, path and query, only the headers the handshake and the service read, and who the caller
/// is in <c>X-Forwarded-*</c> (as the proxy says for every other route). Nothing else is passed:
/// cookies and the like mean nothing to the service.
/// </summary>
public static class LiveRequestHead
{
    // Passed as the client sent them (each value on a line of its own, so duplicates stay duplicates
    // for the service to refuse). The API key is not among them: by now it is an Authorization header.
    private static readonly string[] Forwarded =
    [
        HeaderNames.SecWebSocketKey, HeaderNames.SecWebSocketVersion, HeaderNames.SecWebSocketProtocol,
        HeaderNames.SecWebSocketExtensions, HeaderNames.Authorization, HeaderNames.Origin, HeaderNames.UserAgent,
        CorrelationIdMiddleware.HeaderName,
    ];

    /// <summary>Whether the query names a credential, which is refused rather than passed on.</summary>
    public static bool HasCredentialInQuery(HttpRequest request) =>
        request.Query.Keys.Any(name => LiveEndpoint.CredentialParameters.Contains(name, StringComparer.OrdinalIgnoreCase));

    /// <summary>The request head, ASCII, ending with the blank line.</summary>
    /// <param name="context">The client's request (after the edge checks: its API key already exchanged for a token).</param>
    /// <param name="backendHost">The live endpoint's <c>host:port</c>.</param>
    /// <param name="upgrade">Whether to ask for the WebSocket upgrade; otherwise the request is forwarded plain and the connection closes after the answer.</param>
    public static byte[] Write(HttpContext context, string backendHost, bool upgrade)
    {
        var request = context.Request;
        var head = new StringBuilder(1024)
            .Append(request.Method).Append(' ').Append(LiveEndpoint.Path).Append(request.QueryString.Value).Append(" HTTP/1.1\r\n");
        Header(head, HeaderNames.Host, backendHost);
        if (upgrade)
        {
            Header(head, HeaderNames.Connection, "Upgrade");
            foreach (var value in request.Headers.Upgrade)
            {
                Header(head, HeaderNames.Upgrade, value);
            }
        }
        else
        {
            Header(head, HeaderNames.Connection, "close");
        }
        foreach (var name in Forwarded)
        {
            foreach (var value in request.Headers[name])
            {
                Header(head, name, value);
            }
        }

        // The trace continues from the gateway's request, as it would through any HTTP client.
        if (Activity.Current is { IdFormat: ActivityIdFormat.W3C } activity)
        {
            Header(head, "traceparent", activity.Id);
            Header(head, "tracestate", activity.TraceStateString);
        }
        else
        {
            Header(head, "traceparent", request.Headers.TraceParent);
            Header(head, "tracestate", request.Headers.TraceState);
        }

        // Set, not appended to: what the client claims about earlier hops is not passed on (the proxy's default too).
        Header(head, "X-Forwarded-For", context.Connection.RemoteIpAddress?.ToString());
        Header(head, "X-Forwarded-Proto", request.Scheme);
        Header(head, "X-Forwarded-Host", request.Host.Value);
        if (request.PathBase.HasValue)
        {
            Header(head, "X-Forwarded-Prefix", request.PathBase.Value);
        }
        return Encoding.ASCII.GetBytes(head.Append("\r\n").ToString());
    }

    private static void Header(StringBuilder head, string name, string? value)
    {
        // Visible ASCII and spaces only. Kestrel refuses anything else from clients; a value set inside
        // the gateway is checked too, so that no header can end a line early and smuggle in another.
        if (string.IsNullOrEmpty(value) || value.AsSpan().ContainsAnyExceptInRange(' ', '~'))
        {
            return;
        }
        head.Append(name).Append(": ").Append(value).Append("\r\n");
    }
}
