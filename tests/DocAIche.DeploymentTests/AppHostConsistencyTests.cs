using Aspire.Hosting.Testing;
using static DocAIche.DeploymentTests.Manifest;

namespace DocAIche.DeploymentTests;

/// <summary>
/// The manifests and the AppHost describe the same system: every project the AppHost runs is a
/// Deployment, every endpoint it declares has a Service port, and every setting it hands a service
/// that has no default (connection strings, service discovery, issuer, secrets) is set in the
/// Deployment too. Adding a service, endpoint or required setting to the AppHost without the
/// manifests fails here.
/// </summary>
public sealed class AppHostConsistencyTests : IAsyncLifetime
{
    private readonly Dictionary<string, (HashSet<string> Variables, List<EndpointAnnotation> Endpoints)> _model = new(StringComparer.Ordinal);
    private string _dataPath = "";

    public static TheoryData<string> Overlays() => [.. Manifest.Overlays];

    // Set by the orchestrator for local runs only, or tuning whose defaults the services carry.
    private static readonly string[] NotRequired =
        ["OTEL_", "DOTNET_", "ASPIRE_", "ASPNETCORE_URLS", "HTTP_PORTS", "ASPNETCORE_FORWARDEDHEADERS", "LOGGING__",
         "Gateway__Edge__", "Gateway__ApiKeyCacheSeconds", "Ingestion__PollInterval", "Ingestion__AllowedNetworks", "Search__", "Embeddings__",
         "Answers__", "Sso__", "Retention__", "Alerts__", "LiveUpdates__HandshakeTimeout", "services__", "ASPNETCORE_ENVIRONMENT"];

    public async Task InitializeAsync()
    {
        _dataPath = Directory.CreateTempSubdirectory("docaiche-model-").FullName;
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.DocAIche_AppHost>(
            ["Infrastructure:Mode=executables", $"Infrastructure:DataPath={_dataPath}", "DOCAICHE_BOOTSTRAP_PASSWORD=model-only"]);
        var execution = new DistributedApplicationExecutionContext(DistributedApplicationOperation.Publish);
        foreach (var project in builder.Resources.OfType<ProjectResource>())
        {
            var variables = new Dictionary<string, object>();
            var context = new EnvironmentCallbackContext(execution, project, variables);
            foreach (var callback in project.Annotations.OfType<EnvironmentCallbackAnnotation>())
            {
                await callback.Callback(context);
            }
            _model[project.Name] = ([.. variables.Keys], [.. project.Annotations.OfType<EndpointAnnotation>()]);
        }
        await builder.DisposeAsync();
    }

    public Task DisposeAsync()
    {
        Directory.Delete(_dataPath, recursive: true);
        return Task.CompletedTask;
    }

    [Fact]
    public void The_apphost_model_is_read()
    {
        Assert.Equal(["audit", "console", "documents", "gateway", "identity", "search", "websocket"], _model.Keys.Where(k => !k.StartsWith("gateway-", StringComparison.Ordinal)).Order());
        Assert.Contains("ConnectionStrings__searchdb", _model["search"].Variables);
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Every_project_of_the_apphost_is_deployed_with_every_setting_it_needs(string overlay)
    {
        var rendered = Render(overlay);
        // Aspire 13 also names each referenced endpoint as RESOURCE_ENDPOINT; the services read services__*, checked below.
        var endpointAliases = _model.SelectMany(m => m.Value.Endpoints.Select(e => $"{m.Key}_{e.Name}".ToUpperInvariant())).ToHashSet(StringComparer.Ordinal);
        var missing = new List<string>();
        foreach (var (name, (variables, _)) in _model.Where(m => !m.Key.StartsWith("gateway-", StringComparison.Ordinal)))
        {
            var deployment = rendered.Objects.SingleOrDefault(o => o.Kind == "Deployment" && o.Name == name);
            if (deployment is null)
            {
                missing.Add($"{name}: no Deployment");
                continue;
            }
            var deployed = PolicyTests.Environment(deployment);
            missing.AddRange(variables
                .Where(variable => !NotRequired.Any(prefix => variable.StartsWith(prefix, StringComparison.Ordinal)) && !endpointAliases.Contains(variable))
                .Where(variable => !deployed.ContainsKey(variable))
                .Select(variable => $"{name}: {variable}"));
        }
        Assert.True(missing.Count == 0, "Set by the AppHost, missing from the manifests:\n" + string.Join('\n', missing));
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Every_service_the_apphost_references_is_discoverable_in_the_cluster(string overlay)
    {
        var rendered = Render(overlay);
        var missing = new List<string>();
        foreach (var (name, (variables, _)) in _model.Where(m => !m.Key.StartsWith("gateway-", StringComparison.Ordinal)))
        {
            var deployment = rendered.Objects.SingleOrDefault(o => o.Kind == "Deployment" && o.Name == name);
            if (deployment is null)
            {
                continue;
            }
            var deployed = PolicyTests.Environment(deployment);
            // services__identity__http__0: the Deployment must say where identity's http endpoint is.
            foreach (var reference in variables.Where(v => v.StartsWith("services__", StringComparison.Ordinal)))
            {
                var parts = reference.Split("__");
                var key = $"services__{parts[1]}__{parts[2]}__0";
                if (parts[2] == "https")
                {
                    continue; // no TLS inside the cluster
                }
                if (!deployed.TryGetValue(key, out var address) || !address.StartsWith("http://", StringComparison.Ordinal))
                {
                    missing.Add($"{name}: {key}");
                    continue;
                }
                var host = new Uri(address).Host;
                if (!rendered.Objects.Any(o => o.Kind == "Service" && o.Name == host))
                {
                    missing.Add($"{name}: {key} points at {host}, which is no Service");
                }
            }
        }
        Assert.True(missing.Count == 0, string.Join('\n', missing));
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Every_endpoint_the_apphost_declares_has_a_port_in_the_cluster(string overlay)
    {
        var rendered = Render(overlay);
        foreach (var (name, (variables, endpoints)) in _model.Where(m => !m.Key.StartsWith("gateway-", StringComparison.Ordinal)))
        {
            foreach (var endpoint in endpoints)
            {
                var service = endpoint.Name == "http" ? name : $"{name}-{endpoint.Name}";
                Assert.True(rendered.Objects.Any(o => o.Kind == "Service" && o.Name == service), $"{name}'s endpoint {endpoint.Name} has no Service {service}");
            }
        }
        var websocket = PolicyTests.Environment(rendered.One("Deployment", "websocket"));
        Assert.Equal("8081", websocket.GetValueOrDefault("LiveUpdates__Port"));
    }
}
