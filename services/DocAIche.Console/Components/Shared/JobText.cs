using DocAIche.Console.Api;

namespace DocAIche.Console.Components.Shared;

/// <summary>An ingestion job's progress in words.</summary>
public static class JobText
{
    public static string Progress(Job job)
    {
        var parts = new List<string>();
        if (job.Discovered > 0 || job.Processed > 0)
        {
            parts.Add($"{job.Processed} of {Math.Max(job.Discovered, job.Processed)} {Plural(job.Discovered, "page")} processed");
        }
        if (job.Skipped > 0)
        {
            parts.Add($"{job.Skipped} unchanged");
        }
        if (job.Failed > 0)
        {
            parts.Add($"{job.Failed} failed");
        }
        if (job.Chunks > 0)
        {
            parts.Add($"{job.Chunks} {Plural(job.Chunks, "chunk")}");
        }
        if (job.Finished && (job.DocumentsChanged > 0 || job.DocumentsRemoved > 0))
        {
            parts.Add($"{job.DocumentsChanged} {Plural(job.DocumentsChanged, "document")} changed, {job.DocumentsRemoved} removed");
        }
        var progress = parts.Count > 0 ? string.Join(", ", parts) : job.State == "queued" ? "waiting for a worker" : "starting";
        return job.Error is { Length: > 0 } error ? $"{progress}. {error}" : progress;
    }

    private static string Plural(int count, string word) => count == 1 ? word : word + "s";
}
