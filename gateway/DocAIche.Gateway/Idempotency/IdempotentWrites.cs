using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using DocAIche.ServiceDefaults.Authentication;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace DocAIche.Gateway.Idempotency;

/// <summary>
/// Writes that carry an <c>Idempotency-Key</c> header are done once: the first request with a key is
/// proxied and its answer kept (<see cref="IdempotencyOptions.Retention"/>); a retry with the same key
/// and the same request gets that answer again, marked <c>Idempotent-Replayed: true</c>, and reaches
/// no service. A retry while the first is still running gets 409 with Retry-After; the same key with
/// a different request gets 422. Keys belong to their caller (tenant and subject), so callers cannot
/// see each other's answers. An answer that says nothing was done (<see cref="IsFinal"/>) is not kept:
/// a retry runs again. Applies to POST, PUT, PATCH and DELETE under <c>/api</c>.
/// </summary>
public static class IdempotentWrites
{
    public const string Header = "Idempotency-Key";
    public const string ReplayedHeader = "Idempotent-Replayed";
    public const int MaxKeyLength = 255;

    public static IApplicationBuilder UseIdempotentWrites(this IApplicationBuilder app) => app.UseMiddleware<IdempotentWritesMiddleware>();

    /// <summary>1 to 255 visible ASCII characters (a UUID, typically).</summary>
    public static bool IsValidKey(string? key) =>
        key is { Length: > 0 and <= MaxKeyLength } && key.All(c => c is > ' ' and <= '~');

    public static bool Applies(HttpRequest request) =>
        (HttpMethods.IsPost(request.Method) || HttpMethods.IsPut(request.Method) || HttpMethods.IsPatch(request.Method) || HttpMethods.IsDelete(request.Method)) &&
        request.Path.StartsWithSegments("/api") && request.Headers.ContainsKey(Header);

    /// <summary>
    /// Whether an answer is kept for retries: it shows the write was done or refused for what it asks.
    /// Failures of the moment or of the credentials (5xx, 401, 403, 408, 429) did nothing, and a retry runs again.
    /// </summary>
    public static bool IsFinal(int status) => status is < 500 and not (StatusCodes.Status401Unauthorized or StatusCodes.Status403Forbidden
        or StatusCodes.Status408RequestTimeout or StatusCodes.Status429TooManyRequests);

    /// <summary>What makes two requests the same: method, path, query, content type and body.</summary>
    public static async Task<string> FingerprintAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        request.EnableBuffering();
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.UTF8.GetBytes($"{request.Method}\n{request.Path}\n{request.QueryString}\n{request.ContentType}\n"));
        var buffer = new byte[81920];
        int read;
        while ((read = await request.Body.ReadAsync(buffer, cancellationToken)) > 0)
        {
            hash.AppendData(buffer, 0, read);
        }
        request.Body.Position = 0;
        return Convert.ToHexString(hash.GetHashAndReset());
    }
}

internal sealed partial class IdempotentWritesMiddleware(
    RequestDelegate next, IIdempotencyStore store, IOptions<IdempotencyOptions> options, ILogger<IdempotentWritesMiddleware> logger)
{
    private readonly IdempotencyOptions _options = options.Value;

    public async Task InvokeAsync(HttpContext context)
    {
        if (!IdempotentWrites.Applies(context.Request))
        {
            await next(context);
            return;
        }
        var values = context.Request.Headers[IdempotentWrites.Header];
        if (values.Count != 1 || !IdempotentWrites.IsValidKey(values[0]))
        {
            await Problem(context, StatusCodes.Status400BadRequest, "Invalid Idempotency-Key",
                $"An Idempotency-Key is one value of 1 to {IdempotentWrites.MaxKeyLength} visible ASCII characters, such as a UUID.");
            return;
        }
        if (context.User.Identity?.IsAuthenticated != true)
        {
            await Problem(context, StatusCodes.Status401Unauthorized, "Sign in to use Idempotency-Key",
                "Keyed writes are remembered per caller: send a bearer token or an API key with them.");
            return;
        }

        var key = $"{context.User.FindFirstValue(DocAIcheClaims.Tenant)}:{context.User.GetSubject()}:{Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(values[0]!)))}";
        var fingerprint = await IdempotentWrites.FingerprintAsync(context.Request, context.RequestAborted);
        var attempt = new IdempotencyRecord(fingerprint, Guid.NewGuid().ToString("N"), Completed: false);
        IdempotencyRecord? existing;
        try
        {
            existing = await store.TryBeginAsync(key, attempt, _options.InProgressLease);
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException)
        {
            // Running the write unrecorded could do it twice on a retry: refuse it instead, so the caller retries later.
            LogStoreUnavailable(logger, exception);
            context.Response.Headers.RetryAfter = "1";
            await Problem(context, StatusCodes.Status503ServiceUnavailable, "Keyed writes are unavailable",
                "The store that remembers Idempotency-Keys cannot be reached; nothing was done. Retry with the same key.");
            return;
        }
        if (existing is not null)
        {
            await AnswerAsync(context, existing, fingerprint);
            return;
        }

        var body = context.Features.Get<IHttpResponseBodyFeature>()!;
        var capture = new CapturingStream(body.Stream, _options.MaxResponseBytes);
        context.Features.Set<IHttpResponseBodyFeature>(new StreamResponseBodyFeature(capture, body));
        var answered = false;
        using var running = new CancellationTokenSource();
        var renewing = RenewWhileRunningAsync(key, attempt.Attempt, running.Token);
        try
        {
            await next(context);
            answered = true;
        }
        finally
        {
            await running.CancelAsync();
            await renewing;
            context.Features.Set(body);
            await RecordAsync(context, key, attempt, answered, capture);
        }
    }

    /// <summary>Keeps the key in progress while this gateway runs the write: if it dies, the lease lapses and a retry may run.</summary>
    private async Task RenewWhileRunningAsync(string key, string attempt, CancellationToken running)
    {
        using var timer = new PeriodicTimer(_options.InProgressLease / 3);
        try
        {
            while (await timer.WaitForNextTickAsync(running))
            {
                try
                {
                    await store.RenewAsync(key, attempt, _options.InProgressLease);
                }
                catch (Exception exception) when (exception is RedisException or TimeoutException)
                {
                    LogStoreUnavailable(logger, exception);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task RecordAsync(HttpContext context, string key, IdempotencyRecord attempt, bool answered, CapturingStream capture)
    {
        var response = context.Response;
        try
        {
            if (answered && IdempotentWrites.IsFinal(response.StatusCode))
            {
                var kept = !capture.Overflowed && response.ContentType?.StartsWith("text/event-stream", StringComparison.OrdinalIgnoreCase) != true;
                await store.CompleteAsync(key, attempt with
                {
                    Completed = true,
                    Status = response.StatusCode,
                    ContentType = response.ContentType,
                    Location = response.Headers.Location.ToString() is { Length: > 0 } location ? location : null,
                    Body = kept ? capture.Captured : null,
                    BodyKept = kept,
                }, _options.Retention);
            }
            else
            {
                await store.ReleaseAsync(key, attempt.Attempt);
            }
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException)
        {
            // The write's answer already went out; a retry within the in-progress lease gets 409, after it runs again.
            LogStoreUnavailable(logger, exception);
        }
    }

    private static async Task AnswerAsync(HttpContext context, IdempotencyRecord existing, string fingerprint)
    {
        if (existing.Attempt.Length > 0 && !string.Equals(existing.Fingerprint, fingerprint, StringComparison.Ordinal))
        {
            await Problem(context, StatusCodes.Status422UnprocessableEntity, "Idempotency-Key reused",
                "This Idempotency-Key was used for a different request (method, path, query or body). Use a new key for a new request.");
            return;
        }
        if (!existing.Completed)
        {
            context.Response.Headers.RetryAfter = "1";
            await Problem(context, StatusCodes.Status409Conflict, "Request in progress",
                "A request with this Idempotency-Key is still being processed. Retry with the same key to get its answer.");
            return;
        }

        var response = context.Response;
        response.StatusCode = existing.Status;
        response.Headers[IdempotentWrites.ReplayedHeader] = "true";
        if (existing.ContentType is { } contentType)
        {
            response.ContentType = contentType;
        }
        if (existing.Location is { } location)
        {
            response.Headers.Location = location;
        }
        if (existing.Body is { Length: > 0 } bytes)
        {
            response.ContentLength = bytes.Length;
            await response.Body.WriteAsync(bytes, context.RequestAborted);
        }
    }

    private static Task Problem(HttpContext context, int status, string title, string detail) =>
        Results.Problem(title: title, detail: detail, statusCode: status).ExecuteAsync(context);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The idempotency store (Redis) is unavailable")]
    private static partial void LogStoreUnavailable(ILogger logger, Exception exception);
}

/// <summary>Passes an answer through and keeps a copy of it, up to a limit.</summary>
internal sealed class CapturingStream(Stream inner, int limit) : Stream
{
    private readonly MemoryStream _copy = new();

    public bool Overflowed { get; private set; }

    public byte[] Captured => _copy.ToArray();

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override void Flush() => inner.Flush();
    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count)
    {
        Keep(buffer.AsSpan(offset, count));
        inner.Write(buffer, offset, count);
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Keep(buffer.Span);
        await inner.WriteAsync(buffer, cancellationToken);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    private void Keep(ReadOnlySpan<byte> bytes)
    {
        if (Overflowed)
        {
            return;
        }
        if (_copy.Length + bytes.Length > limit)
        {
            Overflowed = true;
            _copy.SetLength(0);
            return;
        }
        _copy.Write(bytes);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _copy.Dispose();
        }
        base.Dispose(disposing);
    }
}
