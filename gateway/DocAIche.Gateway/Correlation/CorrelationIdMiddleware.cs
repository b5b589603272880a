using System.Diagnostics;

namespace DocAIche.Gateway.Correlation;

/// <summary>
/// Gives every request a correlation id: the caller's <c>X-Correlation-Id</c> when it is a sane
/// token, otherwise the trace id. It is forwarded to the service, returned to the caller and put in
/// the log scope, so one id finds a request everywhere.
/// </summary>
public static partial class CorrelationIdMiddleware
{
    public const string HeaderName = "X-Correlation-Id";
    private const int MaxLength = 128;

    public static IApplicationBuilder UseCorrelationId(this IApplicationBuilder app) =>
        app.Use(async (context, next) =>
        {
            var supplied = context.Request.Headers[HeaderName].ToString();
            var correlationId = IsAcceptable(supplied)
                ? supplied
                : Activity.Current?.TraceId.ToString() ?? Guid.NewGuid().ToString("N");

            context.Request.Headers[HeaderName] = correlationId;
            context.Response.Headers[HeaderName] = correlationId;
            Activity.Current?.SetTag("correlation.id", correlationId);

            var logger = context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("DocAIche.Gateway.Correlation");
            using (logger.BeginScope(new CorrelationScope(correlationId)))
            {
                await next(context);
            }
        });

    /// <summary>
    /// The log scope's one value. A live connection keeps its scope for hours, so it is this one small
    /// object rather than a dictionary.
    /// </summary>
    private sealed class CorrelationScope(string correlationId) : IReadOnlyList<KeyValuePair<string, object?>>
    {
        public KeyValuePair<string, object?> this[int index] =>
            index == 0 ? new("CorrelationId", correlationId) : throw new ArgumentOutOfRangeException(nameof(index));

        public int Count => 1;

        public IEnumerator<KeyValuePair<string, object?>> GetEnumerator()
        {
            yield return this[0];
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

        public override string ToString() => $"CorrelationId:{correlationId}";
    }

    internal static bool IsAcceptable(string value) =>
        value.Length is > 0 and <= MaxLength &&
        value.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or ':');
}
