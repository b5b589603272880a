using System.Collections.Concurrent;
using System.Diagnostics;
using YamlDotNet.Serialization;

namespace DocAIche.DeploymentTests;

/// <summary>One Kubernetes object of a rendered overlay: its YAML text and its parsed tree.</summary>
public sealed record ManifestObject(string Yaml, Dictionary<object, object> Tree)
{
    public string ApiVersion => Tree.TryGetValue("apiVersion", out var value) ? (string)value : "";

    public string Kind => Tree.TryGetValue("kind", out var value) ? (string)value : "";

    public string Name => Manifest.Text(Tree, "metadata", "name") ?? "";

    public override string ToString() => $"{Kind}/{Name}";
}

/// <summary>An overlay as <c>kubectl kustomize</c> renders it.</summary>
public sealed record RenderedOverlay(string Name, string Path, string Yaml, IReadOnlyList<ManifestObject> Objects)
{
    public IEnumerable<ManifestObject> OfKind(string kind) => Objects.Where(o => o.Kind == kind);

    public ManifestObject One(string kind, string name) =>
        Objects.SingleOrDefault(o => o.Kind == kind && o.Name == name) ?? throw new Xunit.Sdk.XunitException($"{Name} renders no {kind} named {name}.");
}

/// <summary>Renders the overlays once per test run and reads what they hold.</summary>
public static class Manifest
{
    public static readonly string[] Overlays = ["dev", "prod"];

    private static readonly ConcurrentDictionary<string, Lazy<RenderedOverlay>> Rendered = new();

    public static string RepositoryRoot { get; } = FindRoot();

    public static RenderedOverlay Render(string overlay) =>
        Rendered.GetOrAdd(overlay, name => new Lazy<RenderedOverlay>(() => RenderNow(name))).Value;

    private static RenderedOverlay RenderNow(string overlay)
    {
        var directory = System.IO.Path.Combine(RepositoryRoot, "k8s", "overlays", overlay);
        // The dev overlay's secrets are generated locally, never committed.
        var generate = System.IO.Path.Combine(directory, "generate-secrets.sh");
        if (File.Exists(generate))
        {
            Run("bash", [generate], directory);
        }
        var yaml = Run("kubectl", ["kustomize", directory], RepositoryRoot);
        var deserializer = new DeserializerBuilder().Build();
        var objects = yaml.Split("\n---\n", StringSplitOptions.RemoveEmptyEntries)
            .Select(text => text.TrimStart('-', '\n'))
            .Where(text => text.Trim().Length > 0)
            .Select(text => new ManifestObject(text, deserializer.Deserialize<Dictionary<object, object>>(text)))
            .ToList();
        return new RenderedOverlay(overlay, directory, yaml, objects);
    }

    public static string Run(string program, IEnumerable<string> arguments, string workingDirectory) =>
        Run(program, arguments, workingDirectory, exitCodes: [0]);

    /// <summary>Runs a program and returns its output; any exit code outside <paramref name="exitCodes"/> fails the test.</summary>
    public static string Run(string program, IEnumerable<string> arguments, string workingDirectory, IReadOnlyCollection<int> exitCodes)
    {
        var start = new ProcessStartInfo(program) { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{program} did not start.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        if (!exitCodes.Contains(process.ExitCode))
        {
            throw new Xunit.Sdk.XunitException($"{program} {string.Join(' ', start.ArgumentList)} exited {process.ExitCode}:\n{error.Result}\n{output.Result}");
        }
        return output.Result;
    }

    /// <summary>The value at a path of mapping keys, or null.</summary>
    public static object? At(object? node, params string[] path)
    {
        foreach (var key in path)
        {
            if (node is not Dictionary<object, object> map || !map.TryGetValue(key, out node))
            {
                return null;
            }
        }
        return node;
    }

    public static string? Text(object? node, params string[] path) => At(node, path)?.ToString();

    public static Dictionary<object, object>? Map(object? node, params string[] path) => At(node, path) as Dictionary<object, object>;

    public static List<object> List(object? node, params string[] path) => At(node, path) as List<object> ?? [];

    /// <summary>The pod template of a workload (Deployment, StatefulSet, Job).</summary>
    public static Dictionary<object, object>? PodSpec(ManifestObject workload) => Map(workload.Tree, "spec", "template", "spec");

    public static IEnumerable<Dictionary<object, object>> Containers(ManifestObject workload) =>
        List(PodSpec(workload), "containers").OfType<Dictionary<object, object>>();

    public static IReadOnlyDictionary<string, string> Labels(object? node, params string[] path) =>
        (Map(node, path) ?? []).ToDictionary(p => p.Key.ToString()!, p => p.Value?.ToString() ?? "");

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(directory.FullName, "DocAIche.sln")))
            {
                return directory.FullName;
            }
        }
        throw new InvalidOperationException("The repository root (DocAIche.sln) was not found above the test's folder.");
    }
}
