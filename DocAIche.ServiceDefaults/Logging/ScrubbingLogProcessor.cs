using OpenTelemetry;
using OpenTelemetry.Logs;

namespace DocAIche.ServiceDefaults.Logging;

/// <summary>Scrubs exported log records (message, body and string attributes) with <see cref="LogScrubber"/> before the OTLP exporter sees them.</summary>
public sealed class ScrubbingLogProcessor : BaseProcessor<LogRecord>
{
    public override void OnEnd(LogRecord data)
    {
        if (data.FormattedMessage is { } message)
        {
            data.FormattedMessage = LogScrubber.Scrub(message);
        }
        if (data.Body is { } body)
        {
            data.Body = LogScrubber.Scrub(body);
        }
        if (data.Attributes is { Count: > 0 } attributes)
        {
            var scrubbed = new List<KeyValuePair<string, object?>>(attributes.Count);
            foreach (var (key, value) in attributes)
            {
                scrubbed.Add(new(key, value is string text ? LogScrubber.Scrub(text) : value));
            }
            data.Attributes = scrubbed;
        }
    }
}
