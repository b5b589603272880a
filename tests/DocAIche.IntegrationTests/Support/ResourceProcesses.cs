using System.Diagnostics;

namespace DocAIche.IntegrationTests.Support;

/// <summary>The operating-system processes of one AppHost resource, for faults the orchestrator has no command for.</summary>
public static class ResourceProcesses
{
    /// <summary>
    /// Kills (SIGKILL) every process of <paramref name="resource"/>: the instance is gone without a word.
    /// Two instances of a service share a command line; their <c>OTEL_SERVICE_NAME</c> (the resource's name) tells them apart.
    /// </summary>
    public static int Kill(string resource)
    {
        var killed = 0;
        foreach (var pid in Find(resource))
        {
            Process.GetProcessById(pid).Kill();
            killed++;
        }
        return killed;
    }

    /// <summary>The process ids of <paramref name="resource"/>, told apart by their <c>OTEL_SERVICE_NAME</c>.</summary>
    public static List<int> Find(string resource) =>
        [.. Directory.EnumerateDirectories("/proc")
            .Select(folder => int.TryParse(Path.GetFileName(folder), out var pid) ? pid : 0)
            .Where(pid => pid > 0 && Environment(pid).Contains($"OTEL_SERVICE_NAME={resource}"))];

    /// <summary>Proportional set size of the resource's processes, in bytes (shared pages split among their users).</summary>
    public static long Pss(string resource) => Find(resource).Sum(pid =>
    {
        try
        {
            var line = File.ReadLines($"/proc/{pid}/smaps_rollup").FirstOrDefault(l => l.StartsWith("Pss:", StringComparison.Ordinal));
            return line is null ? 0 : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) * 1024;
        }
        catch (IOException)
        {
            return 0;
        }
    });

    private static string[] Environment(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/environ").Split('\0');
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return []; // gone meanwhile, or not ours
        }
    }
}
