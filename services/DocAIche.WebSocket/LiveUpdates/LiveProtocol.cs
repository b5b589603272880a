using System.Text.Json;

namespace DocAIche.WebSocket.LiveUpdates;

/// <summary>
/// A message from a client: <c>{"type":"subscribe","topic":"jobs","jobId":"…","lastEventId":"…"}</c>,
/// <c>{"type":"unsubscribe","topic":"jobs"}</c> or <c>{"type":"ping"}</c>.
/// </summary>
public sealed record ClientMessage(string? Type, string? Topic = null, string? JobId = null, string? LastEventId = null);

/// <summary>The live-updates protocol, version 1.</summary>
public static class LiveProtocol
{
    /// <summary>The WebSocket subprotocol a client offers (with <c>docaiche.bearer.&lt;token&gt;</c> to authenticate from a browser).</summary>
    public const string Name = "docaiche.v1";

    /// <summary>Prefix of the subprotocol entry that carries the access token.</summary>
    public const string BearerPrefix = "docaiche.bearer.";

    /// <summary>How every message of the protocol (and a refused handshake's problem) is written and read.</summary>
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>The message, or null when the bytes are not a JSON object of this protocol.</summary>
    public static ClientMessage? Parse(ReadOnlySpan<byte> utf8)
    {
        try
        {
            var message = JsonSerializer.Deserialize<ClientMessage>(utf8, Json);
            return message?.Type is null ? null : message;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public static ReadOnlyMemory<byte> Error(string code, string message) =>
        JsonSerializer.SerializeToUtf8Bytes(new { type = "error", code, message }, Json);

    /// <summary>The access token a browser sent as a subprotocol entry, if any.</summary>
    public static string? TokenFromSubprotocols(IEnumerable<string> offered)
    {
        foreach (var value in offered)
        {
            foreach (var entry in value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                if (entry.StartsWith(BearerPrefix, StringComparison.Ordinal) && entry.Length > BearerPrefix.Length)
                {
                    return entry[BearerPrefix.Length..];
                }
            }
        }
        return null;
    }
}
