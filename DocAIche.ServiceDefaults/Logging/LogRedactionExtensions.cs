using DocAIche.ServiceDefaults.Logging;
using Microsoft.Extensions.Compliance.Classification;
using Microsoft.Extensions.Compliance.Redaction;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace Microsoft.Extensions.Hosting;

public static class LogRedactionExtensions
{
    /// <summary>
    /// Logs carry no personal data or secrets in clear. Values logged with <see cref="PersonalDataAttribute"/>
    /// or <see cref="SecretDataAttribute"/> are replaced by <c>[redacted]</c> by the redaction engine
    /// (Microsoft.Extensions.Compliance.Redaction) before any provider sees them; the console and
    /// the OTLP export also scrub what nobody classified (framework messages, exceptions).
    /// </summary>
    public static TBuilder AddLogRedaction<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Logging.EnableRedaction();
        builder.Services.AddRedaction(redaction =>
        {
            redaction.SetRedactor<MarkingRedactor>(new DataClassificationSet(DocAIcheTaxonomy.PersonalData), new DataClassificationSet(DocAIcheTaxonomy.SecretData));
            redaction.SetFallbackRedactor<MarkingRedactor>();
        });
        builder.Logging.AddConsoleFormatter<ScrubbingConsoleFormatter, ConsoleFormatterOptions>();
        builder.Services.Configure<ConsoleLoggerOptions>(options => options.FormatterName = ScrubbingConsoleFormatter.FormatterName);
        return builder;
    }
}
