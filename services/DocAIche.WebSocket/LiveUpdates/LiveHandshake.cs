using System.Text.Json.Serialization;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using DocAIche.Contracts.LiveUpdates;

namespace DocAIche.WebSocket.LiveUpdates;

/// <summary>A client's WebSocket opening request, once it has been read and checked.</summary>
/// <param name="Key">The client's <c>Sec-WebSocket-Key</c>.</param>
/// <param name="Token">The access token from the Authorization header or the bearer subprotocol; null when there is none.</param>
/// <param name="OffersProtocol">Whether the client offered <see cref="LiveProtocol.Name"/> as a subprotocol.</param>
public sealed record UpgradeRequest(string Key, string? Token, bool OffersProtocol);

/// <summary>A request refused before it became a WebSocket: an HTTP status with problem details.</summary>
public sealed record HandshakeRefusal(
    int Status, string Title, string Detail, IReadOnlyList<KeyValuePair<string, string>>? Headers = null, string? Quota = null, long? Limit = null)
{
    /// <summary>The whole HTTP/1.1 response: status line, headers and an <c>application/problem+json</c> body. The connection closes after it.</summary>
    public byte[] ToResponse()
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(new ProblemBody(TypeFor(Status), Title, Status, Detail, Quota, Limit), LiveProtocol.Json);
        var head = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"HTTP/1.1 {Status} {ReasonFor(Status)}\r\n")
            .Append("Content-Type: application/problem+json\r\n")
            .Append(CultureInfo.InvariantCulture, $"Content-Length: {body.Length}\r\n")
            .Append("Cache-Control: no-store\r\n")
            .Append("Connection: close\r\n");
        foreach (var (name, value) in Headers ?? [])
        {
            head.Append(CultureInfo.InvariantCulture, $"{name}: {value}\r\n");
        }
        head.Append("\r\n");
        return [.. Encoding.ASCII.GetBytes(head.ToString()), .. body];
    }

    private sealed record ProblemBody(
        string Type, string Title, int Status, string Detail,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Quota,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? Limit);

    private static string ReasonFor(int status) => status switch
    {
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        426 => "Upgrade Required",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        503 => "Service Unavailable",
        _ => "Error",
    };

    private static string TypeFor(int status) => status switch
    {
        400 => "https://tools.ietf.org/html/rfc9110#section-15.5.1",
        401 => "https://tools.ietf.org/html/rfc9110#section-15.5.2",
        403 => "https://tools.ietf.org/html/rfc9110#section-15.5.4",
        404 => "https://tools.ietf.org/html/rfc9110#section-15.5.5",
        405 => "https://tools.ietf.org/html/rfc9110#section-15.5.6",
        408 => "https://tools.ietf.org/html/rfc9110#section-15.5.9",
        426 => "https://tools.ietf.org/html/rfc9110#section-15.5.22",
        429 => "https://tools.ietf.org/html/rfc6585#section-4",
        431 => "https://tools.ietf.org/html/rfc6585#section-5",
        503 => "https://tools.ietf.org/html/rfc9110#section-15.6.4",
        _ => "about:blank",
    };
}

/// <summary>
/// The opening handshake of a live connection (RFC 6455 section 4), read straight off the socket:
/// a live connection is one GET that lives for hours, and the HTTP server's per-request state
/// (connection, headers, pipes, middleware frames) would cost more than the connection itself.
/// Only what the handshake needs is read; everything else is refused with a problem.
/// </summary>
public static class LiveHandshake
{
    /// <summary>The longest opening request accepted (headers included); a browser's token subprotocol fits easily.</summary>
    public const int MaxRequestBytes = 16 * 1024;

    /// <summary>The path clients connect to (the gateway forwards its own <c>/ws</c> here).</summary>
    public const string Path = LiveEndpoint.Path;

    private const int MaxHeaders = 100;
    private const string AcceptGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    /// <summary>Where the request's head ends (just after the blank line), or -1 while it is incomplete.</summary>
    public static int EndOfHead(ReadOnlySpan<byte> received)
    {
        var end = received.IndexOf("\r\n\r\n"u8);
        return end < 0 ? -1 : end + 4;
    }

    /// <summary>Reads a complete request head; either the request or why it is refused.</summary>
    public static (UpgradeRequest? Request, HandshakeRefusal? Refusal) Parse(ReadOnlySpan<byte> head)
    {
        // Header values are ASCII (RFC 9110 allows obs-text, which no header read here needs; it reads as '?').
        var text = Encoding.ASCII.GetString(head);
        var lines = text.Split("\r\n");
        var requestLine = lines[0].Split(' ');
        if (requestLine.Length != 3 || !requestLine[2].StartsWith("HTTP/1.", StringComparison.Ordinal))
        {
            return Refuse(400, "Bad request", "The request is not HTTP/1.1.");
        }
        var (method, target) = (requestLine[0], requestLine[1]);
        var query = target.IndexOf('?', StringComparison.Ordinal);
        var path = query < 0 ? target : target[..query];
        if (path != Path)
        {
            return Refuse(404, "Not found", $"Live updates are at {Path}.");
        }
        if (method != "GET")
        {
            return Refuse(405, "Method not allowed", "Open a live connection with GET.", [new("Allow", "GET")]);
        }
        // URLs end up in logs and browser history: a credential there is refused even when another one is valid.
        if (query >= 0 && QueryNames(target[(query + 1)..]).Any(name => LiveEndpoint.CredentialParameters.Contains(name, StringComparer.OrdinalIgnoreCase)))
        {
            return Refuse(400, "Credentials in the URL",
                "Send the token in the Authorization header or as the 'docaiche.bearer.<token>' subprotocol, never in the URL.");
        }

        var headers = new List<KeyValuePair<string, string>>();
        for (var i = 1; i < lines.Length && lines[i].Length > 0; i++)
        {
            var line = lines[i];
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            // A folded line (leading space) or a name with spaces is how requests are smuggled: refused.
            if (colon <= 0 || line[0] is ' ' or '\t' || line.AsSpan(0, colon).ContainsAny(' ', '\t') || headers.Count == MaxHeaders)
            {
                return Refuse(400, "Bad request", "A header line is malformed, or there are too many.");
            }
            headers.Add(new(line[..colon], line[(colon + 1)..].Trim(' ', '\t')));
        }

        if (!HasToken(headers, "Upgrade", "websocket") || !HasToken(headers, "Connection", "upgrade"))
        {
            return Refuse(426, "WebSocket upgrade required", $"Connect to {Path} with a WebSocket client.",
                [new("Upgrade", "websocket"), new("Connection", "Upgrade")]);
        }
        if (Single(headers, "Sec-WebSocket-Version") != "13")
        {
            return Refuse(426, "WebSocket version 13 required", "This server speaks WebSocket version 13 (RFC 6455).",
                [new("Sec-WebSocket-Version", "13")]);
        }
        var key = Single(headers, "Sec-WebSocket-Key");
        if (key is null || !IsNonce(key))
        {
            return Refuse(400, "Bad request", "Sec-WebSocket-Key must be 16 random bytes in base64.");
        }

        var offered = headers.Where(h => h.Key.Equals("Sec-WebSocket-Protocol", StringComparison.OrdinalIgnoreCase)).Select(h => h.Value).ToList();
        var offersProtocol = offered
            .SelectMany(value => value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            .Contains(LiveProtocol.Name, StringComparer.Ordinal);
        var token = BearerFrom(Single(headers, "Authorization")) ?? LiveProtocol.TokenFromSubprotocols(offered);
        return (new UpgradeRequest(key, token, offersProtocol), null);
    }

    /// <summary>The 101 that turns the connection into a WebSocket. The token subprotocol is never echoed.</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Security", "CA5350:Do not use weak cryptographic algorithms",
        Justification = "RFC 6455 fixes SHA-1 for Sec-WebSocket-Accept; it proves the server read the handshake and protects nothing secret.")]
    public static byte[] Accept(UpgradeRequest request)
    {
        var accept = Convert.ToBase64String(SHA1.HashData(Encoding.ASCII.GetBytes(request.Key + AcceptGuid)));
        var response = new StringBuilder()
            .Append("HTTP/1.1 101 Switching Protocols\r\n")
            .Append("Upgrade: websocket\r\n")
            .Append("Connection: Upgrade\r\n")
            .Append(CultureInfo.InvariantCulture, $"Sec-WebSocket-Accept: {accept}\r\n");
        if (request.OffersProtocol)
        {
            response.Append(CultureInfo.InvariantCulture, $"Sec-WebSocket-Protocol: {LiveProtocol.Name}\r\n");
        }
        return Encoding.ASCII.GetBytes(response.Append("\r\n").ToString());
    }

    public static HandshakeRefusal Unauthenticated(string detail) =>
        new(401, "Unauthorized", detail, [new("WWW-Authenticate", "Bearer")]);

    private static (UpgradeRequest?, HandshakeRefusal?) Refuse(int status, string title, string detail, IReadOnlyList<KeyValuePair<string, string>>? headers = null) =>
        (null, new HandshakeRefusal(status, title, detail, headers));

    private static IEnumerable<string> QueryNames(string query) =>
        query.Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(pair => Uri.UnescapeDataString((pair.IndexOf('=', StringComparison.Ordinal) is var eq and >= 0 ? pair[..eq] : pair).Replace('+', ' ')));

    /// <summary>The header's value when it appears exactly once.</summary>
    private static string? Single(List<KeyValuePair<string, string>> headers, string name)
    {
        string? found = null;
        foreach (var (key, value) in headers)
        {
            if (key.Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                if (found is not null)
                {
                    return null;
                }
                found = value;
            }
        }
        return found;
    }

    private static bool HasToken(List<KeyValuePair<string, string>> headers, string name, string token) =>
        headers.Any(h => h.Key.Equals(name, StringComparison.OrdinalIgnoreCase) &&
            h.Value.Split(',', StringSplitOptions.TrimEntries).Contains(token, StringComparer.OrdinalIgnoreCase));

    private static bool IsNonce(string key)
    {
        Span<byte> nonce = stackalloc byte[18];
        return key.Length == 24 && Convert.TryFromBase64String(key, nonce, out var written) && written == 16;
    }

    private static string? BearerFrom(string? authorization) =>
        authorization is not null && authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) && authorization.Length > 7
            ? authorization[7..].Trim()
            : null;
}
