using System.Security.Cryptography;
using System.Text;

namespace DocAIche.Identity.Tokens;

/// <summary>API key secrets: <c>dak_</c> + 40 random base62 characters; stored only as SHA-256.</summary>
public static class ApiKeySecrets
{
    private const string Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    public const string KeyPrefix = "dak_";

    public static string Generate() => KeyPrefix + RandomNumberGenerator.GetString(Alphabet, 40);

    /// <summary>A 256-bit random key needs no slow hash: SHA-256 cannot be brute-forced back to it.</summary>
    public static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    public static bool LooksLikeKey(string? key) => key is { Length: 44 } && key.StartsWith(KeyPrefix, StringComparison.Ordinal);
}
