using System.Text.Json;
using k8s;

namespace DocAIche.DeploymentTests;

/// <summary>
/// Every rendered object is valid for its kind, offline: against the Kubernetes OpenAPI schemas and
/// the operators' CRD schemas (kubernetes-models, plus ./schema/crds for CloudNativePG and RabbitMQ),
/// and, for built-in kinds, read strictly by the Kubernetes .NET client so that a misspelt field fails.
/// </summary>
public sealed class SchemaTests
{
    public static TheoryData<string> Overlays() => [.. Manifest.Overlays];

    private sealed record Verdict(string Kind, string ApiVersion, string Name, bool Ok, string? Error);

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Every_object_matches_the_schema_of_its_kind(string overlay)
    {
        var rendered = Manifest.Render(overlay);
        var schemas = Path.Combine(Manifest.RepositoryRoot, "tests", "DocAIche.DeploymentTests", "schema");
        Assert.True(Directory.Exists(Path.Combine(schemas, "node_modules")),
            $"The schema packages are not installed: run `npm ci --prefix {schemas}` (./test.sh does).");
        var file = Path.Combine(Path.GetTempPath(), $"docaiche-{overlay}-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(file, rendered.Yaml);
        try
        {
            // The validator exits 1 when an object is invalid; its lines say which, and are checked below.
            var output = Manifest.Run("node", [Path.Combine(schemas, "validate.mjs"), file], schemas, exitCodes: [0, 1]);
            var verdicts = output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
                .Select(line => JsonSerializer.Deserialize<Verdict>(line, Json)!)
                .ToList();
            Assert.Equal(rendered.Objects.Count, verdicts.Count);
            var invalid = verdicts.Where(v => !v.Ok).Select(v => $"{v.Kind}/{v.Name}: {v.Error}").ToList();
            Assert.True(invalid.Count == 0, string.Join('\n', invalid));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Built_in_objects_have_no_field_kubernetes_does_not_know(string overlay)
    {
        var builtIn = Manifest.Render(overlay).Objects.Where(o => !o.ApiVersion.Contains('.', StringComparison.Ordinal) ||
            o.ApiVersion.EndsWith(".k8s.io/v1", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(builtIn);

        var unknown = new List<string>();
        foreach (var item in builtIn)
        {
            try
            {
                KubernetesYaml.LoadAllFromString(item.Yaml, null, strict: true);
            }
            catch (Exception exception) when (exception is YamlDotNet.Core.YamlException or InvalidOperationException or ArgumentException)
            {
                unknown.Add($"{item}: {exception.Message}");
            }
        }

        Assert.True(unknown.Count == 0, string.Join('\n', unknown));
    }
}
