using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace DocAIche.IntegrationTests.Support;

/// <summary>Every line the AppHost's resources (services, servers) wrote, as the test host's logging receives them.</summary>
public sealed class ResourceLogs : ILoggerProvider
{
    private const string Prefix = "DocAIche.AppHost.Resources.";
    private readonly ConcurrentQueue<(string Resource, string Line)> lines = new();

    public IReadOnlyList<string> Of(params string[] resources) =>
        [.. lines.Where(l => resources.Contains(l.Resource)).Select(l => l.Line)];

    public ILogger CreateLogger(string categoryName) =>
        categoryName.StartsWith(Prefix, StringComparison.Ordinal) ? new Collector(this, categoryName[Prefix.Length..]) : NullLogger.Instance;

    public void Dispose()
    {
    }

    private sealed class Collector(ResourceLogs logs, string resource) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            logs.lines.Enqueue((resource, formatter(state, exception)));
    }

    private sealed class NullLogger : ILogger
    {
        public static readonly NullLogger Instance = new();

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => false;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
        }
    }
}
