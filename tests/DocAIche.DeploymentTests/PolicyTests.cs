using System.Text.RegularExpressions;
using static DocAIche.DeploymentTests.Manifest;

namespace DocAIche.DeploymentTests;

/// <summary>The deployment policy every rendered overlay keeps: hardened, probed, bounded, disruption-safe workloads; secrets only by reference; one public door.</summary>
public sealed partial class PolicyTests
{
    public static TheoryData<string> Overlays() => [.. Manifest.Overlays];

    private static readonly string[] Services = ["identity", "documents", "search", "audit", "websocket", "gateway", "console"];

    private static readonly string[] DatabaseServices = ["identity", "documents", "search", "audit"];

    private static IEnumerable<ManifestObject> LongRunning(RenderedOverlay rendered) =>
        rendered.Objects.Where(o => o.Kind is "Deployment" or "StatefulSet");

    private static IEnumerable<ManifestObject> Workloads(RenderedOverlay rendered) =>
        rendered.Objects.Where(o => o.Kind is "Deployment" or "StatefulSet" or "Job");

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Every_service_and_the_gateway_is_a_deployment_behind_a_service(string overlay)
    {
        var rendered = Render(overlay);
        foreach (var service in Services)
        {
            var deployment = rendered.One("Deployment", service);
            var port = Assert.Single(List(Containers(deployment).First(), "ports").OfType<Dictionary<object, object>>(),
                p => Text(p, "containerPort") == "8080");
            Assert.NotNull(port);
            var front = rendered.One("Service", service);
            Assert.Contains(List(front.Tree, "spec", "ports").OfType<Dictionary<object, object>>(), p => Text(p, "port") == "8080" || Text(p, "targetPort") == "8080");
        }
        var live = rendered.One("Service", "websocket-live");
        Assert.Contains(List(live.Tree, "spec", "ports").OfType<Dictionary<object, object>>(), p => Text(p, "port") == "8081");
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Every_long_running_workload_is_probed(string overlay)
    {
        foreach (var workload in LongRunning(Render(overlay)))
        {
            foreach (var container in Containers(workload))
            {
                Assert.True(At(container, "livenessProbe") is not null, $"{workload} has no liveness probe");
                Assert.True(At(container, "readinessProbe") is not null, $"{workload} has no readiness probe");
                if (workload.Kind == "Deployment")
                {
                    Assert.Equal("/alive", Text(container, "livenessProbe", "httpGet", "path"));
                    // The gateway's /health aggregates the services': its readiness is its own.
                    Assert.Equal(workload.Name == "gateway" ? "/alive" : "/health", Text(container, "readinessProbe", "httpGet", "path"));
                    Assert.True(At(container, "startupProbe") is not null, $"{workload} has no startup probe");
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Every_workload_is_bounded_non_root_and_read_only(string overlay)
    {
        var workloads = Workloads(Render(overlay)).ToList();
        Assert.NotEmpty(workloads);
        foreach (var workload in workloads)
        {
            var pod = PodSpec(workload);
            Assert.True(Text(pod, "securityContext", "runAsNonRoot") == "true", $"{workload}: runAsNonRoot");
            Assert.False(Text(pod, "hostNetwork") == "true", $"{workload}: hostNetwork");
            foreach (var container in Containers(workload))
            {
                foreach (var resource in new[] { "cpu", "memory" })
                {
                    Assert.True(Text(container, "resources", "requests", resource) is not null, $"{workload}: requests.{resource}");
                    Assert.True(Text(container, "resources", "limits", resource) is not null, $"{workload}: limits.{resource}");
                }
                Assert.True(Text(container, "securityContext", "readOnlyRootFilesystem") == "true", $"{workload}: readOnlyRootFilesystem");
                Assert.True(Text(container, "securityContext", "allowPrivilegeEscalation") == "false", $"{workload}: allowPrivilegeEscalation");
                Assert.True(List(container, "securityContext", "capabilities", "drop").Select(c => c.ToString()).Contains("ALL"), $"{workload}: capabilities drop ALL");
                Assert.True(Text(container, "securityContext", "privileged") != "true", $"{workload}: privileged");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Every_long_running_workload_has_a_disruption_budget_and_rolls_without_losing_capacity(string overlay)
    {
        var rendered = Render(overlay);
        var budgets = rendered.OfKind("PodDisruptionBudget").ToList();
        foreach (var workload in LongRunning(rendered))
        {
            var podLabels = Labels(workload.Tree, "spec", "template", "metadata", "labels");
            Assert.True(budgets.Any(b => Labels(b.Tree, "spec", "selector", "matchLabels") is { Count: > 0 } selector &&
                selector.All(l => podLabels.TryGetValue(l.Key, out var value) && value == l.Value)), $"{workload} has no PodDisruptionBudget");
            if (workload.Kind == "Deployment")
            {
                Assert.Equal("0", Text(workload.Tree, "spec", "strategy", "rollingUpdate", "maxUnavailable"));
            }
        }
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Secrets_only_ever_arrive_by_reference(string overlay)
    {
        var rendered = Render(overlay);
        foreach (var workload in Workloads(rendered))
        {
            foreach (var container in Containers(workload))
            {
                foreach (var variable in List(container, "env").OfType<Dictionary<object, object>>())
                {
                    var name = Text(variable, "name")!;
                    if (LooksSecret().IsMatch(name))
                    {
                        Assert.True(At(variable, "valueFrom", "secretKeyRef") is not null, $"{workload}: {name} is not taken from a Secret");
                    }
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Every_secret_reference_is_one_the_overlay_provides(string overlay)
    {
        var rendered = Render(overlay);
        var provided = new HashSet<string>(StringComparer.Ordinal);
        foreach (var secret in rendered.OfKind("Secret"))
        {
            foreach (var key in (Map(secret.Tree, "data") ?? []).Keys.Concat((Map(secret.Tree, "stringData") ?? []).Keys))
            {
                provided.Add($"{secret.Name}/{key}");
            }
        }
        foreach (var external in rendered.OfKind("ExternalSecret"))
        {
            var target = Text(external.Tree, "spec", "target", "name") ?? external.Name;
            foreach (var item in List(external.Tree, "spec", "data").OfType<Dictionary<object, object>>())
            {
                provided.Add($"{target}/{Text(item, "secretKey")}");
            }
        }

        var missing = Workloads(rendered)
            .SelectMany(w => Containers(w).SelectMany(c => List(c, "env").OfType<Dictionary<object, object>>())
                .Select(v => Map(v, "valueFrom", "secretKeyRef"))
                .OfType<Dictionary<object, object>>()
                .Select(r => $"{Text(r, "name")}/{Text(r, "key")}")
                .Where(reference => !provided.Contains(reference))
                .Select(reference => $"{w}: {reference}"))
            .Distinct()
            .ToList();
        Assert.True(missing.Count == 0, "Referenced but not provided:\n" + string.Join('\n', missing));
    }

    [Fact]
    public void Production_takes_every_secret_from_the_external_store_and_none_from_the_repository()
    {
        var prod = Render("prod");
        Assert.Empty(prod.OfKind("Secret"));
        Assert.NotEmpty(prod.OfKind("ExternalSecret"));
        Assert.All(prod.OfKind("ExternalSecret"), e => Assert.Equal("vault", Text(e.Tree, "spec", "secretStoreRef", "name")));

        var committed = Directory.EnumerateFiles(Path.Combine(RepositoryRoot, "k8s"), "*.yaml", SearchOption.AllDirectories)
            .Where(file => Regex.IsMatch(File.ReadAllText(file), @"^kind:\s*Secret\s*$", RegexOptions.Multiline))
            .ToList();
        Assert.True(committed.Count == 0, "Secret objects committed: " + string.Join(", ", committed));
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Only_the_gateway_is_reachable_from_outside(string overlay)
    {
        var rendered = Render(overlay);
        var ingress = Assert.Single(rendered.OfKind("Ingress"));
        var backends = List(ingress.Tree, "spec", "rules").OfType<Dictionary<object, object>>()
            .SelectMany(rule => List(rule, "http", "paths").OfType<Dictionary<object, object>>())
            .Select(path => Text(path, "backend", "service", "name"))
            .Distinct()
            .ToList();
        Assert.Equal(["gateway"], backends);
        Assert.NotEmpty(List(ingress.Tree, "spec", "tls"));
        Assert.All(rendered.OfKind("Service"), service => Assert.NotEqual("LoadBalancer", Text(service.Tree, "spec", "type")));

        var denyAll = rendered.OfKind("NetworkPolicy").Where(p =>
            Map(p.Tree, "spec", "podSelector") is { Count: 0 } &&
            List(p.Tree, "spec", "policyTypes").Select(t => t.ToString()).ToHashSet().SetEquals(["Ingress", "Egress"]) &&
            List(p.Tree, "spec", "ingress").Count == 0 && List(p.Tree, "spec", "egress").Count == 0);
        Assert.NotEmpty(denyAll);
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Schemas_are_migrated_by_a_job_with_the_owner_login_and_never_by_the_services(string overlay)
    {
        var rendered = Render(overlay);
        foreach (var service in DatabaseServices)
        {
            var job = rendered.One("Job", $"{service}-migrate");
            var jobEnv = Environment(job);
            Assert.Equal("true", jobEnv.GetValueOrDefault("Database__MigrateOnly"));
            var deploymentEnv = Environment(rendered.One("Deployment", service));
            Assert.Equal("false", deploymentEnv.GetValueOrDefault("Database__MigrateOnStartup"));
        }
    }

    [Fact]
    public void Production_runs_at_least_two_of_everything_that_serves_traffic_and_scales_the_busy_ones()
    {
        var prod = Render("prod");
        string[] scaled = ["gateway", "search", "documents", "websocket"];
        // The console's pages hold live circuits in the pod that rendered them: one instance, and no
        // autoscaler, until the gateway routes each browser back to the same pod (sticky sessions).
        string[] single = ["console"];
        foreach (var service in Services.Except(scaled).Except(single))
        {
            Assert.True(int.Parse(Text(prod.One("Deployment", service).Tree, "spec", "replicas") ?? "1") >= 2, $"{service} replicas");
        }
        foreach (var service in single)
        {
            Assert.Equal("1", Text(prod.One("Deployment", service).Tree, "spec", "replicas"));
            Assert.DoesNotContain(prod.OfKind("HorizontalPodAutoscaler"), h => Text(h.Tree, "spec", "scaleTargetRef", "name") == service);
        }
        foreach (var service in scaled)
        {
            var autoscaler = prod.OfKind("HorizontalPodAutoscaler").Single(h => Text(h.Tree, "spec", "scaleTargetRef", "name") == service);
            Assert.True(int.Parse(Text(autoscaler.Tree, "spec", "minReplicas") ?? "1") >= 2, $"{service} minReplicas");
            // The autoscaler owns the count: a replica count in the Deployment would reset it at every apply.
            Assert.Null(Text(prod.One("Deployment", service).Tree, "spec", "replicas"));
        }
        Assert.Equal("3", Text(prod.One("Cluster", "docaiche-postgres").Tree, "spec", "instances"));
        Assert.Equal("3", Text(prod.One("RabbitmqCluster", "docaiche-rabbitmq").Tree, "spec", "replicas"));
        Assert.NotNull(At(prod.One("Cluster", "docaiche-postgres").Tree, "spec", "backup", "barmanObjectStore"));
        Assert.NotEmpty(prod.OfKind("ScheduledBackup"));
    }

    /// <summary>A container's environment: literal values, and "secret:name/key" for references.</summary>
    internal static Dictionary<string, string> Environment(ManifestObject workload) =>
        Containers(workload).First() is var container
            ? List(container, "env").OfType<Dictionary<object, object>>().ToDictionary(
                v => Text(v, "name")!,
                v => Text(v, "value") ?? (Map(v, "valueFrom", "secretKeyRef") is { } r ? $"secret:{Text(r, "name")}/{Text(r, "key")}" : "reference"))
            : [];

    [GeneratedRegex("(Password|Secret|Key(Protection)?$|EncryptionKey|CredentialKey|CheckpointKey|^ConnectionStrings__)", RegexOptions.IgnoreCase)]
    private static partial Regex LooksSecret();
}
