using System.Buffers;
using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace DocAIche.Gateway.Live;

/// <summary>
/// The live endpoint's answer to an opening request: 101 and the first bytes of the WebSocket that
/// follow it, or a refusal (a problem from the service) with its whole body.
/// </summary>
/// <param name="Status">The HTTP status.</param>
/// <param name="Headers">The response's headers as the service sent them.</param>
/// <param name="Content">After a 101, the WebSocket bytes that came with the head; otherwise the body.</param>
public sealed record LiveAnswer(int Status, IReadOnlyList<KeyValuePair<string, string>> Headers, byte[] Content)
{
    /// <summary>The longest response head accepted; the service's are a few hundred bytes.</summary>
    public const int MaxHeadBytes = 16 * 1024;

    /// <summary>The longest refusal body accepted; the service's problems are a few hundred bytes.</summary>
    public const int MaxBodyBytes = 64 * 1024;

    private const int MaxHeaders = 100;

    /// <summary>Headers that describe this connection rather than the answer: Kestrel writes its own.</summary>
    private static readonly string[] HopByHop = ["Connection", "Keep-Alive", "Proxy-Connection", "Transfer-Encoding", "TE", "Trailer", "Content-Length", "Server"];

    /// <summary>The headers to give the client (everything but the connection's own).</summary>
    public IEnumerable<KeyValuePair<string, string>> EndToEndHeaders =>
        Headers.Where(header => !HopByHop.Contains(header.Key, StringComparer.OrdinalIgnoreCase));

    /// <summary>Reads the answer off the socket; null when it is not a well-formed HTTP/1.1 response within the bounds.</summary>
    public static async Task<LiveAnswer?> ReadAsync(Socket backend, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(MaxHeadBytes);
        try
        {
            var received = 0;
            var end = -1;
            while (end < 0)
            {
                if (received == MaxHeadBytes)
                {
                    return null;
                }
                var read = await backend.ReceiveAsync(buffer.AsMemory(received, MaxHeadBytes - received), SocketFlags.None, cancellationToken);
                if (read == 0)
                {
                    return null;
                }
                received += read;
                end = EndOfHead(buffer.AsSpan(0, received));
            }

            var head = ParseHead(buffer.AsSpan(0, end));
            if (head is null)
            {
                return null;
            }
            var (status, headers, contentLength) = head.Value;
            if (status == 101)
            {
                return new LiveAnswer(status, headers, buffer[end..received]);
            }
            // The body's first bytes may have come with the head.
            var alreadyReceived = received - end;
            if (contentLength > MaxBodyBytes || alreadyReceived > (contentLength ?? MaxBodyBytes))
            {
                return null;
            }
            var body = new byte[contentLength ?? MaxBodyBytes];
            buffer.AsSpan(end, alreadyReceived).CopyTo(body);
            var length = await ReadBodyAsync(backend, body, alreadyReceived, untilClosed: contentLength is null, cancellationToken);
            return length < 0 ? null : new LiveAnswer(status, headers, length == body.Length ? body : body[..length]);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Where the head ends (just after the blank line), or -1 while it is incomplete.</summary>
    public static int EndOfHead(ReadOnlySpan<byte> received)
    {
        var end = received.IndexOf("\r\n\r\n"u8);
        return end < 0 ? -1 : end + 4;
    }

    /// <summary>
    /// A complete head (status line, headers, blank line): null when it is malformed, or in a form
    /// the service never answers in (chunked, folded lines, a 1xx other than 101).
    /// </summary>
    public static (int Status, IReadOnlyList<KeyValuePair<string, string>> Headers, long? ContentLength)? ParseHead(ReadOnlySpan<byte> head)
    {
        // Header values are relayed to the client, and Kestrel writes ASCII only; no NUL either.
        if (head.ContainsAnyExceptInRange((byte)0x01, (byte)0x7F) || !head.EndsWith("\r\n\r\n"u8))
        {
            return null;
        }
        var lines = Encoding.ASCII.GetString(head[..^4]).Split("\r\n");

        var statusLine = lines[0];
        if (!(statusLine.StartsWith("HTTP/1.1 ", StringComparison.Ordinal) || statusLine.StartsWith("HTTP/1.0 ", StringComparison.Ordinal)) ||
            statusLine.Length < 12 || (statusLine.Length > 12 && statusLine[12] != ' ') ||
            !int.TryParse(statusLine.AsSpan(9, 3), NumberStyles.None, CultureInfo.InvariantCulture, out var status) ||
            status is < 101 or > 599 || status is > 101 and < 200)
        {
            return null;
        }

        var headers = new List<KeyValuePair<string, string>>();
        long? contentLength = null;
        foreach (var line in lines.AsSpan(1))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            // A folded line (leading space) or a name with spaces is how responses are smuggled: refused.
            if (colon <= 0 || line.AsSpan(0, colon).ContainsAny(' ', '\t') || headers.Count == MaxHeaders ||
                HasControlCharacter(line))
            {
                return null;
            }
            var (name, value) = (line[..colon], line[(colon + 1)..].Trim(' ', '\t'));
            if (name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase))
            {
                return null;
            }
            if (name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
            {
                if (!long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var length) || (contentLength is { } earlier && earlier != length))
                {
                    return null;
                }
                contentLength = length;
            }
            headers.Add(new(name, value));
        }
        return (status, headers, contentLength);
    }

    /// <summary>Any control character but a tab (the line's CR and LF are gone already).</summary>
    private static bool HasControlCharacter(ReadOnlySpan<char> line) =>
        line.ContainsAnyInRange('\0', '\x08') || line.ContainsAnyInRange('\x0A', '\x1F') || line.Contains('\x7F');

    /// <summary>
    /// Fills <paramref name="body"/> (its Content-Length), or reads up to the connection's end when the
    /// answer has no length; the length read, or -1 when the body is cut short or does not fit.
    /// </summary>
    private static async Task<int> ReadBodyAsync(Socket backend, byte[] body, int length, bool untilClosed, CancellationToken cancellationToken)
    {
        while (length < body.Length)
        {
            var read = await backend.ReceiveAsync(body.AsMemory(length), SocketFlags.None, cancellationToken);
            if (read == 0)
            {
                return untilClosed ? length : -1;
            }
            length += read;
        }
        // Without a length, a body that fills the bound may go on: refused rather than cut.
        return untilClosed && await backend.ReceiveAsync(new byte[1], SocketFlags.None, cancellationToken) > 0 ? -1 : length;
    }
}
