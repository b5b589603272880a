using System.Buffers;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace DocAIche.ServiceDefaults.Http;

/// <summary>
/// Refuses text with a NUL character (U+0000) anywhere a caller can put it, once, before any endpoint
/// runs: PostgreSQL text cannot hold it, so it would otherwise surface as a 500, a misleading 409 or a
/// broken answer stream. The refusal is a 400 validation problem naming the field. Looked at: the
/// path, every query parameter, JSON bodies (any string or property name, however deep) and form
/// fields. Multipart uploads are files: their content is cleaned where it is read.
/// </summary>
public static class NulCharacterRefusal
{
    private const string Message = "Text may not contain NUL characters (U+0000).";

    // A JSON body can only hold a NUL as this escape (raw control characters are invalid JSON).
    private static readonly byte[] EscapeBytes = Encoding.ASCII.GetBytes("\\u0000");

    public static IApplicationBuilder UseNulCharacterRefusal(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        var field = InPath(context.Request) ?? InQuery(context.Request) ?? await InBodyAsync(context.Request, context.RequestAborted);
        if (field is null)
        {
            await next(context);
            return;
        }
        var problem = Results.ValidationProblem(new Dictionary<string, string[]> { [field] = [Message] },
            title: "NUL characters are not accepted");
        await problem.ExecuteAsync(context);
    });

    private static string? InPath(HttpRequest request) =>
        (request.PathBase.Value ?? "").Contains('\0', StringComparison.Ordinal) || (request.Path.Value ?? "").Contains('\0', StringComparison.Ordinal)
            ? "path" : null;

    private static string? InQuery(HttpRequest request)
    {
        if (!request.QueryString.HasValue)
        {
            return null;
        }
        foreach (var (key, values) in request.Query)
        {
            if (key.Contains('\0', StringComparison.Ordinal))
            {
                return "query";
            }
            foreach (var value in values)
            {
                if (value is not null && value.Contains('\0', StringComparison.Ordinal))
                {
                    return key;
                }
            }
        }
        return null;
    }

    private static async Task<string?> InBodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.ContentLength == 0 || (request.ContentLength is null && request.Headers.TransferEncoding.Count == 0))
        {
            return null;
        }
        if (request.HasFormContentType && !IsMultipart(request.ContentType))
        {
            IFormCollection form;
            try
            {
                form = await request.ReadFormAsync(cancellationToken);
            }
            catch (InvalidDataException)
            {
                // ASP.NET's form reader itself refuses a NUL ("The form value contains invalid characters").
                return "form";
            }
            foreach (var (key, values) in form)
            {
                if (key.Contains('\0', StringComparison.Ordinal) || values.Any(v => v is not null && v.Contains('\0', StringComparison.Ordinal)))
                {
                    return key.Contains('\0', StringComparison.Ordinal) ? "form" : key;
                }
            }
            return null;
        }
        if (!IsJson(request.ContentType))
        {
            return null;
        }

        // The body is buffered for the endpoint anyway; it is only scanned here, and parsed for the
        // field's name in the rare case that it holds the escape.
        request.EnableBuffering();
        var found = await ContainsEscapeAsync(request.Body, cancellationToken);
        request.Body.Position = 0;
        if (!found)
        {
            return null;
        }
        var body = await ReadAllAsync(request.Body, cancellationToken);
        request.Body.Position = 0;
        return FieldWithNul(body);
    }

    /// <summary>Whether the stream holds <c>\u0000</c>, read in pooled chunks that overlap by the escape's length.</summary>
    public static async Task<bool> ContainsEscapeAsync(Stream body, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            var kept = 0;
            int read;
            while ((read = await body.ReadAsync(buffer.AsMemory(kept), cancellationToken)) > 0)
            {
                var filled = kept + read;
                if (buffer.AsSpan(0, filled).IndexOf(EscapeBytes) >= 0)
                {
                    return true;
                }
                kept = Math.Min(EscapeBytes.Length - 1, filled);
                buffer.AsSpan(filled - kept, kept).CopyTo(buffer);
            }
            return false;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static async Task<byte[]> ReadAllAsync(Stream body, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        await body.CopyToAsync(buffer, cancellationToken);
        return buffer.ToArray();
    }

    /// <summary>
    /// The path (<c>name</c>, <c>include[1]</c>, <c>settings.pattern</c>) of the first string or property
    /// name holding a NUL; <c>body</c> when it is the document itself; null when there is none (the
    /// escape was itself escaped text) or the JSON is malformed (binding reports that).
    /// </summary>
    public static string? FieldWithNul(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, MaxDepth = 256 });
        var path = new List<(string? Name, int Index, bool IsArray)>();
        try
        {
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.PropertyName:
                        var name = reader.GetString()!;
                        path[^1] = (name, 0, false);
                        if (name.Contains('\0', StringComparison.Ordinal))
                        {
                            return PathOf(path);
                        }
                        continue;
                    case JsonTokenType.StartObject:
                    case JsonTokenType.StartArray:
                        path.Add((null, 0, reader.TokenType == JsonTokenType.StartArray));
                        continue;
                    case JsonTokenType.EndObject:
                    case JsonTokenType.EndArray:
                        path.RemoveAt(path.Count - 1);
                        Advance(path);
                        continue;
                    case JsonTokenType.String:
                        if (reader.ValueIsEscaped && reader.GetString()!.Contains('\0', StringComparison.Ordinal))
                        {
                            return PathOf(path);
                        }
                        Advance(path);
                        continue;
                    default:
                        Advance(path);
                        continue;
                }
            }
        }
        catch (JsonException)
        {
            return null;
        }
        return null;
    }

    /// <summary>After a value inside an array, the next one has the next index.</summary>
    private static void Advance(List<(string? Name, int Index, bool IsArray)> path)
    {
        if (path.Count > 0 && path[^1].IsArray)
        {
            path[^1] = path[^1] with { Index = path[^1].Index + 1 };
        }
    }

    private static string PathOf(List<(string? Name, int Index, bool IsArray)> path)
    {
        var text = new StringBuilder();
        foreach (var (name, index, isArray) in path)
        {
            if (isArray)
            {
                text.Append('[').Append(index).Append(']');
            }
            else if (name is not null)
            {
                if (text.Length > 0)
                {
                    text.Append('.');
                }
                text.Append(JsonNamingPolicy.CamelCase.ConvertName(name));
            }
        }
        return text.Length == 0 ? "body" : text.ToString();
    }

    private static bool IsMultipart(string? contentType) =>
        contentType is not null && contentType.StartsWith("multipart/", StringComparison.OrdinalIgnoreCase);

    private static bool IsJson(string? contentType) =>
        contentType is not null &&
        (contentType.StartsWith("application/json", StringComparison.OrdinalIgnoreCase) ||
         contentType.Split(';')[0].Trim().EndsWith("+json", StringComparison.OrdinalIgnoreCase));
}
