using DocAIche.Documents;
using DocAIche.Documents.Chunking;
using DocAIche.Documents.Crawling;
using DocAIche.Documents.Fetching;
using DocAIche.Documents.Ingestion;
using DocAIche.Documents.Sources;
using DocAIche.Documents.Uploads;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace DocAIche.UnitTests.Documents;

/// <summary>The documents service's settings as the AppHost, the tests and the README name them.</summary>
public sealed class IngestionSettingsTests
{
    private static ServiceProvider Services(params (string Key, string Value)[] settings)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(settings.Select(s => KeyValuePair.Create(s.Key, (string?)s.Value)));
        builder.AddIngestionSettings();
        return builder.Services.BuildServiceProvider();
    }

    private static T Settings<T>(ServiceProvider services) where T : class => services.GetRequiredService<IOptions<T>>().Value;

    [Fact]
    public void Every_setting_is_read_from_its_key_under_Ingestion()
    {
        using var services = Services(
            ("Ingestion:CredentialKey", new string('k', 32)),
            ("Ingestion:PollInterval", "00:00:00.500"),
            ("Ingestion:AllowedNetworks:0", "127.0.0.1/32"),
            ("Ingestion:Git:Executable", "/opt/git/bin/git"),
            ("Ingestion:Crawler:MaxPagesLimit", "42"),
            ("Ingestion:Uploads:MaxEntries", "7"),
            ("Ingestion:Chunking:TargetCharacters", "800"));

        Assert.Equal(TimeSpan.FromMilliseconds(500), Settings<IngestionOptions>(services).PollInterval);
        Assert.Equal(["127.0.0.1/32"], Settings<NetworkOptions>(services).AllowedNetworks);
        Assert.Equal("/opt/git/bin/git", Settings<GitOptions>(services).Executable);
        Assert.Equal(42, Settings<CrawlerOptions>(services).MaxPagesLimit);
        Assert.Equal(7, Settings<UploadLimits>(services).MaxEntries);
        Assert.Equal(800, Settings<ChunkingOptions>(services).TargetCharacters);
    }

    [Fact]
    public void A_crawler_setting_outside_its_range_is_refused()
    {
        using var services = Services(("Ingestion:Crawler:MaxRedirects", "50"));

        var refused = Assert.Throws<OptionsValidationException>(() => Settings<CrawlerOptions>(services));

        Assert.Contains("MaxRedirects", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_allowed_network_that_is_not_a_range_is_refused()
    {
        using var services = Services(("Ingestion:AllowedNetworks:0", "intranet"));

        var refused = Assert.Throws<OptionsValidationException>(() => Settings<NetworkOptions>(services));

        Assert.Contains("Ingestion:AllowedNetworks", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Chunking_settings_that_contradict_each_other_are_refused()
    {
        using var services = Services(("Ingestion:Chunking:TargetCharacters", "1000"), ("Ingestion:Chunking:OverlapCharacters", "900"));

        var refused = Assert.Throws<OptionsValidationException>(() => Settings<ChunkingOptions>(services));

        Assert.Contains("Ingestion:Chunking", refused.Message, StringComparison.Ordinal);
    }
}
