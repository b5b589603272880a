using System.Security.Cryptography;

namespace DocAIche.AppHost.Infrastructure;

/// <summary>
/// Passwords of the local servers, generated on first use and kept in the data folder (outside the
/// repository, readable by the owner only) so that a persistent database keeps working across runs.
/// </summary>
internal sealed class LocalSecrets(string folder)
{
    private const string Alphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";

    public string GetOrCreate(string name)
    {
        var path = Path.Combine(folder, name);
        if (File.Exists(path))
        {
            var existing = File.ReadAllText(path).Trim();
            if (existing.Length > 0)
            {
                return existing;
            }
        }

        Directory.CreateDirectory(folder);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        // Letters and digits only: the value goes into URIs and connection strings unescaped.
        var secret = RandomNumberGenerator.GetString(Alphabet, 32);
        OwnerOnlyFile.Write(path, secret);
        return secret;
    }
}
