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
    private readonly IReadOnlyList<string> _settings;
    private string _dataPath = "";

    public DocAIcheFixture()
        : this([])
    {
    }

    private DocAIcheFixture(IReadOnlyList<string> settings) => _settings = settings;

    /// <summary>
    /// With AppHost settings of its own (the HA profile: <c>DOCAICHE_REPLICAS=2</c>). A factory, not a
    /// constructor: xunit requires a collection fixture to have a single public constructor.
    /// </summary>
    public static DocAIcheFixture WithSettings(IReadOnlyList<string> settings) => new(settings);

    /// <summary>Whether every service runs twice behind the front (<c>DOCAICHE_REPLICAS</c> above 1).</summary>
    public bool Replicated => _settings.Any(s => s.StartsWith("DOCAICHE_REPLICAS=", StringComparison.Ordinal) && s != "DOCAICHE_REPLICAS=1");

    public DistributedApplication App { get; private set; } = null!;

    /// <summary>Where this run's servers keep their data and generated secrets.</summary>
    public string DataPath => _dataPath;

    public Uri GatewayAddress { get; private set; } = null!;

    /// <summary>The gateway, as the first tenant's owner (signed in through the real sign-in form).</summary>
    public HttpClient Gateway { get; private set; } = null!;

    /// <summary>The gateway with no credentials.</summary>
    public HttpClient Anonymous { get; private set; } = null!;

    public string OwnerAccessToken { get; private set; } = "";

    /// <summary>Short, so the revoked-key test waits seconds, not the default half minute.</summary>
    public const int ApiKeyCacheSeconds = 2;

    public const int CredentialAttemptLimit = 300;
    public const string AllowedOrigin = "https://console.docaiche.test";
    public const long MaxRequestBodyBytes = 4 * 1024 * 1024;

    public const string OwnerEmail = "owner@tests.docaiche.local";

    /// <summary>Generated per run, handed to the AppHost as the bootstrap parameter.</summary>
    public string OwnerPassword { get; } = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(24));

    /// <summary>What the services and servers logged, for tests that check what logs may not contain.</summary>
    public ResourceLogs ResourceLogs { get; } = new();

    public HttpClient CreateClient(string? accessToken = null)
    {
        var client = new HttpClient { BaseAddress = GatewayAddress, Timeout = TimeSpan.FromSeconds(60) };
        if (accessToken is not null)
        {
            client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", accessToken);
        }
        return client;
    }

    public async Task InitializeAsync()
    {
        _dataPath = Directory.CreateTempSubdirectory("docaiche-tests-").FullName;
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.DocAIche_AppHost>(
        [
            "Infrastructure:Mode=executables",
            $"Infrastructure:DataPath={_dataPath}",
            "DOCAICHE_GATEWAY_PORT=0",
            $"DOCAICHE_BOOTSTRAP_EMAIL={OwnerEmail}",
            $"DOCAICHE_BOOTSTRAP_PASSWORD={OwnerPassword}",
            $"Gateway:ApiKeyCacheSeconds={ApiKeyCacheSeconds}",
            // Room for every test's sign-ins from 127.0.0.1; the brute-force test uses an address of its own.
            $"Gateway:Edge:CredentialAttempts:TokenLimit={CredentialAttemptLimit}",
            "Gateway:Edge:CredentialAttempts:TokensPerPeriod=1",
            "Gateway:Edge:CredentialAttempts:Period=00:00:06",
            $"Gateway:Edge:AllowedOrigins:0={AllowedOrigin}",
            $"Gateway:Edge:MaxRequestBodyBytes={MaxRequestBodyBytes}",
            // The crawler and Git fetcher may read the loopback servers tests start on 127.0.0.1, and nothing else private.
            "Ingestion:AllowedNetworks:0=127.0.0.1/32",
            "Ingestion:PollInterval=00:00:00.500",
            // Tenants' identity providers in tests are loopback servers on 127.0.0.1, spoken to over plain HTTP.
            "Sso:AllowedNetworks:0=127.0.0.1/32",
            "Sso:RequireHttps=false",
            // Retention tests purge what they just wrote; alert tests need only a few failed sign-ins.
            "Retention:MinimumDays=0",
            "Alerts:FailedSignInsPerAccount=3",
            "Alerts:FailedSignInsPerAddress=100000",
            // As in a cluster: the services' queues are quorum queues (the websocket service's per-instance ones stay classic).
            "Messaging:QuorumQueues=true",
            .. _settings,
        ]);
        builder.Services.AddLogging(logging => logging
            .SetMinimumLevel(LogLevel.Warning)
            .AddFilter("Aspire.Hosting", LogLevel.Warning)
            .AddProvider(ResourceLogs)
            .AddFilter<ResourceLogs>("DocAIche.AppHost.Resources", LogLevel.Trace));

        App = await builder.BuildAsync();
        using var timeout = new CancellationTokenSource(StartTimeout);
        await App.StartAsync(timeout.Token);
        // Every service and gateway instance.
        foreach (var resource in App.Services.GetRequiredService<DistributedApplicationModel>().Resources.OfType<ProjectResource>().Select(r => r.Name))
        {
            await App.ResourceNotifications.WaitForResourceHealthyAsync(resource, timeout.Token);
        }

        // The address the README gives (http://127.0.0.1:port), which is also the token issuer: the front's with replicas.
        GatewayAddress = new UriBuilder(App.GetEndpoint(Replicated ? "front" : "gateway", "http")) { Host = "127.0.0.1" }.Uri;
        Anonymous = CreateClient();
        var owner = await OidcTestClient.SignInAsync(GatewayAddress, OwnerEmail, OwnerPassword);
        OwnerAccessToken = owner.AccessToken;
        Gateway = CreateClient(owner.AccessToken);
    }

    public async Task DisposeAsync()
    {
        Gateway?.Dispose();
        Anonymous?.Dispose();
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
