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
        foreach (var folder in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(folder), out var pid) && Environment(pid).Contains($"OTEL_SERVICE_NAME={resource}"))
            {
                Process.GetProcessById(pid).Kill();
                killed++;
            }
        }
        return killed;
    }

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
