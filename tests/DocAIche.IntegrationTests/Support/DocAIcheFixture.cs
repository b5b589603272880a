using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DocAIche.IntegrationTests.Support;

/// <summary>
/// The whole of DocAIche, booted once per test collection from the real AppHost in executables
/// mode: real PostgreSQL, Redis and RabbitMQ processes with throwaway data, every service, and the
/// gateway on a free port. Tests talk to it only through the gateway, as a user would.
/// </summary>
public sealed class DocAIcheFixture : IAsyncLifetime
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(5);
    private string _dataPath = "";

    public DistributedApplication App { get; private set; } = null!;

    public Uri GatewayAddress { get; private set; } = null!;

    public HttpClient Gateway { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _dataPath = Directory.CreateTempSubdirectory("docaiche-tests-").FullName;
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.DocAIche_AppHost>(
        [
            "Infrastructure:Mode=executables",
            $"Infrastructure:DataPath={_dataPath}",
            "DOCAICHE_GATEWAY_PORT=0",
        ]);
        builder.Services.AddLogging(logging => logging
            .SetMinimumLevel(LogLevel.Warning)
            .AddFilter("Aspire.Hosting", LogLevel.Warning));

        App = await builder.BuildAsync();
        using var timeout = new CancellationTokenSource(StartTimeout);
        await App.StartAsync(timeout.Token);
        foreach (var resource in new[] { "identity", "documents", "search", "audit", "websocket", "gateway" })
        {
            await App.ResourceNotifications.WaitForResourceHealthyAsync(resource, timeout.Token);
        }

        GatewayAddress = App.GetEndpoint("gateway", "http");
        Gateway = new HttpClient { BaseAddress = GatewayAddress, Timeout = TimeSpan.FromSeconds(60) };
    }

    public async Task DisposeAsync()
    {
        Gateway?.Dispose();
        if (App is not null)
        {
            await App.DisposeAsync();
        }
        try
        {
            Directory.Delete(_dataPath, recursive: true);
        }
        catch (IOException)
        {
            // A server still closing its files; the folder is in the temp directory anyway.
        }
    }
}

[CollectionDefinition(Name)]
public sealed class DocAIcheCollection : ICollectionFixture<DocAIcheFixture>
{
    public const string Name = "DocAIche";
}
