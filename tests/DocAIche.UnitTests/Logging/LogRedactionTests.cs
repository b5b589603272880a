using DocAIche.ServiceDefaults.Logging;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;

namespace DocAIche.UnitTests.Logging;

public sealed class LogRedactionTests
{
    [Fact]
    public void Classified_values_are_redacted_before_any_provider_sees_them()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.AddLogRedaction();
        builder.Services.AddFakeLogging();
        using var host = builder.Build();
        var logger = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("test");

        SecurityLog.SignInFailed(logger, "ada@example.test", "203.0.113.7", "wrong password");

        var record = Assert.Single(host.Services.GetFakeLogCollector().GetSnapshot());
        Assert.DoesNotContain("ada@example.test", record.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("203.0.113.7", record.Message, StringComparison.Ordinal);
        Assert.Equal("Sign-in failed for [redacted] from [redacted] (wrong password)", record.Message);
        Assert.DoesNotContain(record.StructuredState!, pair => pair.Value is "ada@example.test" or "203.0.113.7");
    }

    [Theory]
    [InlineData("Sign-in by ada.lovelace+docs@example.co.uk failed", "Sign-in by [email] failed")]
    [InlineData("from 203.0.113.7:5000 and 10.1.2.3", "from [address]:5000 and [address]")]
    [InlineData("listening on http://127.0.0.1:8080", "listening on http://127.0.0.1:8080")]
    [InlineData("client 2001:db8::ff00:42:8329 connected", "client [address] connected")]
    [InlineData("at 12:34:56.789 on ::1", "at 12:34:56.789 on ::1")]
    [InlineData("Authorization: Bearer abc.DEF-123_x=", "Authorization: Bearer [token]")]
    [InlineData("token eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1c2VyOjEifQ.c2lnbmF0dXJl here", "token [token] here")]
    [InlineData("key dak_0123456789abcdefABCDEF0123456789abcdefgh used", "key [token] used")]
    [InlineData("version 1.2.3 of 4 libraries", "version 1.2.3 of 4 libraries")]
    public void Unclassified_text_is_scrubbed_of_emails_addresses_and_tokens(string text, string scrubbed) =>
        Assert.Equal(scrubbed, LogScrubber.Scrub(text));

    [Fact]
    public void The_console_writes_scrubbed_lines_in_the_simple_layout()
    {
        var formatter = new ScrubbingConsoleFormatter();
        using var writer = new StringWriter();
        var entry = new LogEntry<string>(LogLevel.Warning, "DocAIche.Test", new EventId(7), "user ada@example.test from 198.51.100.4",
            new InvalidOperationException("token eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1c2VyOjEifQ.c2lnbmF0dXJl"), (state, _) => state);
        formatter.Write(entry, null, writer);
        var written = writer.ToString();
        Assert.StartsWith("warn: DocAIche.Test[7]", written, StringComparison.Ordinal);
        Assert.Contains("user [email] from [address]", written, StringComparison.Ordinal);
        Assert.Contains("token [token]", written, StringComparison.Ordinal);
        Assert.DoesNotContain("eyJ", written, StringComparison.Ordinal);
    }
}
