using System.Diagnostics;
using Microsoft.Extensions.Configuration;

namespace DocAIche.AppHost.Infrastructure;

internal enum InfrastructureMode
{
    /// <summary>PostgreSQL (pgvector), Redis and RabbitMQ in containers; needs a working container runtime.</summary>
    Containers,

    /// <summary>The same servers as local processes from the distribution's packages; needs no container engine.</summary>
    Executables,
}

internal static class InfrastructureModeSelector
{
    public const string ConfigurationKey = "Infrastructure:Mode";

    /// <summary>
    /// <c>Infrastructure:Mode</c> = <c>containers</c> or <c>executables</c> forces a mode; unset or
    /// <c>auto</c> uses containers only where a container runtime actually answers.
    /// </summary>
    public static InfrastructureMode Select(IConfiguration configuration)
    {
        var configured = configuration[ConfigurationKey];
        return configured?.Trim().ToLowerInvariant() switch
        {
            null or "" or "auto" => ContainerRuntimeAnswers() ? InfrastructureMode.Containers : InfrastructureMode.Executables,
            "containers" => InfrastructureMode.Containers,
            "executables" => InfrastructureMode.Executables,
            _ => throw new InvalidOperationException(
                $"{ConfigurationKey} is '{configured}'; use 'containers', 'executables' or 'auto'."),
        };
    }

    private static bool ContainerRuntimeAnswers()
    {
        foreach (var runtime in new[] { "docker", "podman" })
        {
            try
            {
                using var process = Process.Start(new ProcessStartInfo(runtime, ["info", "--format", "{{.ServerVersion}}"])
                {
                    RedirectStandardOutput = true,
                    RedirectStandardError = true,
                    UseShellExecute = false,
                });
                if (process is null)
                {
                    continue;
                }
                if (!process.WaitForExit(TimeSpan.FromSeconds(10)))
                {
                    process.Kill(entireProcessTree: true);
                    continue;
                }
                if (process.ExitCode == 0)
                {
                    return true;
                }
            }
            catch (System.ComponentModel.Win32Exception)
            {
                // Not installed.
            }
        }
        return false;
    }
}
