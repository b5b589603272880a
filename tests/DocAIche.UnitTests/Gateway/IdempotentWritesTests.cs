using System.Collections.Concurrent;
using System.Security.Claims;
using System.Text;
using DocAIche.Gateway.Idempotency;
using DocAIche.ServiceDefaults.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace DocAIche.UnitTests.Gateway;

/// <summary>The rules of keyed writes, over an in-memory store (the integration tests use Redis through the gateway).</summary>
public sealed class IdempotentWritesTests
{
    private sealed class MemoryStore : IIdempotencyStore
    {
        public ConcurrentDictionary<string, IdempotencyRecord> Records { get; } = new();

        public int Renewals;

        public Task<IdempotencyRecord?> TryBeginAsync(string key, IdempotencyRecord record, TimeSpan lease) =>
            Task.FromResult(Records.TryAdd(key, record) ? null : Records[key]);

        public Task RenewAsync(string key, string attempt, TimeSpan lease)
        {
            Interlocked.Increment(ref Renewals);
            return Task.CompletedTask;
        }

        public Task CompleteAsync(string key, IdempotencyRecord record, TimeSpan retention)
        {
            if (Records.TryGetValue(key, out var current) && current.Attempt == record.Attempt)
            {
                Records[key] = record;
            }
            return Task.CompletedTask;
        }

        public Task ReleaseAsync(string key, string attempt)
        {
            if (Records.TryGetValue(key, out var current) && current.Attempt == attempt)
            {
                Records.TryRemove(key, out _);
            }
            return Task.CompletedTask;
        }
    }

    /// <summary>A downstream that counts its calls and answers 201 with the body it got, or what the test wants.</summary>
    private sealed class Downstream
    {
        public int Calls;
        public int Status = StatusCodes.Status201Created;
        public TaskCompletionSource? Gate;

        public async Task HandleAsync(HttpContext context)
        {
            Interlocked.Increment(ref Calls);
            if (Gate is not null)
            {
                await Gate.Task;
            }
            using var reader = new StreamReader(context.Request.Body);
            var body = await reader.ReadToEndAsync();
            context.Response.StatusCode = Status;
            context.Response.ContentType = "application/json";
            context.Response.Headers.Location = "/api/v1/libraries/42";
            await context.Response.WriteAsync($"{{\"created\":{Calls},\"echo\":{body}}}");
        }
    }

    private static (IdempotentWritesMiddleware Middleware, MemoryStore Store, Downstream Downstream) Create(int maxResponseBytes = 1024 * 1024, int leaseSeconds = 10)
    {
        var store = new MemoryStore();
        var downstream = new Downstream();
        var middleware = new IdempotentWritesMiddleware(downstream.HandleAsync, store,
            Options.Create(new IdempotencyOptions { MaxResponseBytes = maxResponseBytes, InProgressLease = TimeSpan.FromSeconds(leaseSeconds) }),
            NullLogger<IdempotentWritesMiddleware>.Instance);
        return (middleware, store, downstream);
    }

    private static DefaultHttpContext Request(string? key, string body = """{"name":"react"}""", string method = "POST", string path = "/api/v1/libraries", string subject = "user:1")
    {
        var context = new DefaultHttpContext { RequestServices = new ServiceCollection().AddLogging().AddProblemDetails().BuildServiceProvider() };
        context.Request.Method = method;
        context.Request.Path = path;
        context.Request.ContentType = "application/json";
        context.Request.Body = new MemoryStream(Encoding.UTF8.GetBytes(body));
        if (key is not null)
        {
            context.Request.Headers[IdempotentWrites.Header] = key;
        }
        if (subject.Length > 0)
        {
            context.User = new ClaimsPrincipal(new ClaimsIdentity([new Claim("sub", subject), new Claim(DocAIcheClaims.Tenant, "tenant-a")], "test"));
        }
        context.Response.Body = new MemoryStream();
        return context;
    }

    private static string Answer(HttpContext context) => Encoding.UTF8.GetString(((MemoryStream)context.Response.Body).ToArray());

    [Fact]
    public async Task A_retry_with_the_same_key_gets_the_first_answer_and_reaches_no_service()
    {
        var (middleware, _, downstream) = Create();

        var first = Request("key-1");
        await middleware.InvokeAsync(first);
        var retry = Request("key-1");
        await middleware.InvokeAsync(retry);

        Assert.Equal(1, downstream.Calls);
        Assert.Equal(StatusCodes.Status201Created, retry.Response.StatusCode);
        Assert.Equal(Answer(first), Answer(retry));
        Assert.Equal("/api/v1/libraries/42", retry.Response.Headers.Location.ToString());
        Assert.Equal("application/json", retry.Response.ContentType);
        Assert.Equal("true", retry.Response.Headers[IdempotentWrites.ReplayedHeader].ToString());
        Assert.False(first.Response.Headers.ContainsKey(IdempotentWrites.ReplayedHeader));
    }

    [Fact]
    public async Task Without_a_key_or_for_reads_every_request_runs()
    {
        var (middleware, store, downstream) = Create();

        await middleware.InvokeAsync(Request(null));
        await middleware.InvokeAsync(Request(null));
        await middleware.InvokeAsync(Request("key-1", method: "GET"));
        await middleware.InvokeAsync(Request("key-1", method: "GET"));

        Assert.Equal(4, downstream.Calls);
        Assert.Empty(store.Records);
    }

    [Fact]
    public async Task The_same_key_with_another_body_is_refused_with_422()
    {
        var (middleware, _, downstream) = Create();

        await middleware.InvokeAsync(Request("key-1", """{"name":"react"}"""));
        var other = Request("key-1", """{"name":"vue"}""");
        await middleware.InvokeAsync(other);

        Assert.Equal(1, downstream.Calls);
        Assert.Equal(StatusCodes.Status422UnprocessableEntity, other.Response.StatusCode);
        Assert.Contains("different request", Answer(other), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Keys_belong_to_their_caller()
    {
        var (middleware, _, downstream) = Create();

        await middleware.InvokeAsync(Request("key-1", subject: "user:1"));
        var someoneElse = Request("key-1", subject: "user:2");
        await middleware.InvokeAsync(someoneElse);

        Assert.Equal(2, downstream.Calls);
        Assert.False(someoneElse.Response.Headers.ContainsKey(IdempotentWrites.ReplayedHeader));
    }

    [Fact]
    public async Task A_retry_while_the_first_runs_gets_409_with_Retry_After()
    {
        var (middleware, _, downstream) = Create();
        downstream.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var first = middleware.InvokeAsync(Request("key-1"));
        var concurrent = Request("key-1");
        await middleware.InvokeAsync(concurrent);
        downstream.Gate.SetResult();
        await first;

        Assert.Equal(1, downstream.Calls);
        Assert.Equal(StatusCodes.Status409Conflict, concurrent.Response.StatusCode);
        Assert.Equal("1", concurrent.Response.Headers.RetryAfter.ToString());
    }

    [Fact]
    public async Task A_write_that_runs_longer_than_a_third_of_the_lease_keeps_its_key_in_progress()
    {
        var (middleware, store, downstream) = Create(leaseSeconds: 3);
        downstream.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var running = middleware.InvokeAsync(Request("key-1"));
        await Task.Delay(TimeSpan.FromSeconds(2.5));
        var renewedWhileRunning = store.Renewals;
        downstream.Gate.SetResult();
        await running;
        await Task.Delay(TimeSpan.FromSeconds(1.5));

        Assert.InRange(renewedWhileRunning, 1, 3);
        Assert.Equal(renewedWhileRunning, store.Renewals);
    }

    [Theory]
    [InlineData(StatusCodes.Status502BadGateway)]
    [InlineData(StatusCodes.Status503ServiceUnavailable)]
    [InlineData(StatusCodes.Status429TooManyRequests)]
    [InlineData(StatusCodes.Status401Unauthorized)]
    public async Task An_answer_that_did_nothing_is_not_kept_and_the_retry_runs(int status)
    {
        var (middleware, store, downstream) = Create();
        downstream.Status = status;

        await middleware.InvokeAsync(Request("key-1"));
        Assert.Empty(store.Records);
        downstream.Status = StatusCodes.Status201Created;
        var retry = Request("key-1");
        await middleware.InvokeAsync(retry);

        Assert.Equal(2, downstream.Calls);
        Assert.Equal(StatusCodes.Status201Created, retry.Response.StatusCode);
    }

    [Fact]
    public async Task A_refusal_for_what_the_request_asks_is_kept()
    {
        var (middleware, _, downstream) = Create();
        downstream.Status = StatusCodes.Status409Conflict;

        await middleware.InvokeAsync(Request("key-1"));
        var retry = Request("key-1");
        await middleware.InvokeAsync(retry);

        Assert.Equal(1, downstream.Calls);
        Assert.Equal(StatusCodes.Status409Conflict, retry.Response.StatusCode);
    }

    [Fact]
    public async Task An_answer_too_large_to_keep_is_replayed_as_its_status_alone()
    {
        var (middleware, store, downstream) = Create(maxResponseBytes: 1024);

        var first = Request("key-1", $$"""{"name":"{{new string('a', 2000)}}"}""");
        await middleware.InvokeAsync(first);
        var retry = Request("key-1", $$"""{"name":"{{new string('a', 2000)}}"}""");
        await middleware.InvokeAsync(retry);

        Assert.True(Answer(first).Length > 2000, "the first caller got the whole answer");
        Assert.Equal(1, downstream.Calls);
        Assert.False(Assert.Single(store.Records).Value.BodyKept);
        Assert.Equal(StatusCodes.Status201Created, retry.Response.StatusCode);
        Assert.Equal("", Answer(retry));
    }

    [Theory]
    [InlineData("", false)]
    [InlineData("has space", false)]
    [InlineData("tab\tkey", false)]
    [InlineData("ünïcode", false)]
    [InlineData("8e0f5a1c-5a8e-4f8e-9d43-0c4a6a0f1b2e", true)]
    [InlineData("order-4711/retry", true)]
    public void Keys_are_visible_ascii(string key, bool valid) => Assert.Equal(valid, IdempotentWrites.IsValidKey(key));

    [Fact]
    public async Task An_invalid_key_or_an_anonymous_caller_is_refused_and_nothing_runs()
    {
        var (middleware, _, downstream) = Create();

        var tooLong = Request(new string('k', IdempotentWrites.MaxKeyLength + 1));
        await middleware.InvokeAsync(tooLong);
        var anonymous = Request("key-1", subject: "");
        await middleware.InvokeAsync(anonymous);

        Assert.Equal(0, downstream.Calls);
        Assert.Equal(StatusCodes.Status400BadRequest, tooLong.Response.StatusCode);
        Assert.Equal(StatusCodes.Status401Unauthorized, anonymous.Response.StatusCode);
    }

    [Fact]
    public async Task The_fingerprint_covers_the_body_and_leaves_it_readable()
    {
        var a = Request("k", """{"name":"react"}""");
        var b = Request("k", """{"name":"react"}""");
        var c = Request("k", """{"name":"vue"}""");
        var d = Request("k", """{"name":"react"}""", path: "/api/v1/sources");

        var fa = await IdempotentWrites.FingerprintAsync(a.Request, CancellationToken.None);
        Assert.Equal(fa, await IdempotentWrites.FingerprintAsync(b.Request, CancellationToken.None));
        Assert.NotEqual(fa, await IdempotentWrites.FingerprintAsync(c.Request, CancellationToken.None));
        Assert.NotEqual(fa, await IdempotentWrites.FingerprintAsync(d.Request, CancellationToken.None));
        using var reader = new StreamReader(a.Request.Body);
        Assert.Equal("""{"name":"react"}""", await reader.ReadToEndAsync());
    }
}
