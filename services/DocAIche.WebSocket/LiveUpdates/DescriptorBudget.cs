using System.Globalization;

namespace DocAIche.WebSocket.LiveUpdates;

/// <summary>
/// How many live connections this process can hold: its open-files limit, less the descriptors it
/// already uses and a reserve for everything else it must keep opening (Redis, RabbitMQ and HTTP
/// reconnections, telemetry exports). Reaching the limit itself breaks those, and the runtime with
/// them; a client past the budget is refused with a 503 and connects elsewhere.
/// </summary>
public static class DescriptorBudget
{
    /// <summary>Connections the process may hold; <see cref="int.MaxValue"/> where the limits cannot be read (not Linux).</summary>
    public static int Connections(int reserve)
    {
        if (OpenFilesLimit() is not { } limit)
        {
            return int.MaxValue;
        }
        return (int)Math.Clamp(limit - OpenNow() - reserve, 0, int.MaxValue);
    }

    /// <summary>The soft limit on open files (<c>ulimit -n</c>), from /proc/self/limits.</summary>
    public static long? OpenFilesLimit()
    {
        const string path = "/proc/self/limits";
        if (!File.Exists(path))
        {
            return null;
        }
        foreach (var line in File.ReadLines(path))
        {
            if (line.StartsWith("Max open files", StringComparison.Ordinal))
            {
                var soft = line["Max open files".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries)[0];
                return soft == "unlimited" ? null : long.Parse(soft, CultureInfo.InvariantCulture);
            }
        }
        return null;
    }

    private static int OpenNow()
    {
        try
        {
            return Directory.EnumerateFileSystemEntries("/proc/self/fd").Count();
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return 0;
        }
    }
}
