using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;

namespace DocAIche.ServiceDefaults.Logging;

/// <summary>The console's simple layout (<c>info: Category[id]</c>, message indented), with every line scrubbed by <see cref="LogScrubber"/>.</summary>
public sealed class ScrubbingConsoleFormatter() : ConsoleFormatter(FormatterName)
{
    public const string FormatterName = "docaiche";
    private const string Indent = "      ";

    public override void Write<TState>(in LogEntry<TState> logEntry, IExternalScopeProvider? scopeProvider, TextWriter textWriter)
    {
        var message = logEntry.Formatter?.Invoke(logEntry.State, logEntry.Exception);
        if (message is null && logEntry.Exception is null)
        {
            return;
        }
        textWriter.Write(logEntry.LogLevel switch
        {
            LogLevel.Trace => "trce",
            LogLevel.Debug => "dbug",
            LogLevel.Information => "info",
            LogLevel.Warning => "warn",
            LogLevel.Error => "fail",
            LogLevel.Critical => "crit",
            _ => "none",
        });
        textWriter.Write(": ");
        textWriter.Write(logEntry.Category);
        textWriter.Write('[');
        textWriter.Write(logEntry.EventId.Id);
        textWriter.WriteLine(']');
        if (!string.IsNullOrEmpty(message))
        {
            WriteIndented(textWriter, LogScrubber.Scrub(message));
        }
        if (logEntry.Exception is not null)
        {
            WriteIndented(textWriter, LogScrubber.Scrub(logEntry.Exception.ToString()));
        }
    }

    private static void WriteIndented(TextWriter textWriter, string text)
    {
        foreach (var line in text.Split('\n'))
        {
            textWriter.Write(Indent);
            textWriter.WriteLine(line.TrimEnd('\r'));
        }
    }
}
