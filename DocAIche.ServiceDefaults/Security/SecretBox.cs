using System.Security.Cryptography;
using System.Text;

namespace DocAIche.ServiceDefaults.Security;

/// <summary>
/// Authenticated encryption (AES-256-GCM) of small secrets kept in a service's database, under a key
/// that comes from deployment configuration and never from the database itself.
/// </summary>
public static class SecretBox
{
    private const int NonceBytes = 12;
    private const int TagBytes = 16;

    /// <summary>A 256-bit key from a configured passphrase or random string.</summary>
    public static byte[] KeyFrom(string configuredKey) => SHA256.HashData(Encoding.UTF8.GetBytes(configuredKey));

    /// <summary>nonce | tag | ciphertext, base64.</summary>
    public static string Protect(ReadOnlySpan<byte> plaintext, byte[] key)
    {
        var nonce = RandomNumberGenerator.GetBytes(NonceBytes);
        var tag = new byte[TagBytes];
        var ciphertext = new byte[plaintext.Length];
        using (var aes = new AesGcm(key, TagBytes))
        {
            aes.Encrypt(nonce, plaintext, ciphertext, tag);
        }
        return Convert.ToBase64String([.. nonce, .. tag, .. ciphertext]);
    }

    /// <exception cref="CryptographicException">The value was not protected with this key, or was altered.</exception>
    public static byte[] Unprotect(string protectedValue, byte[] key)
    {
        var data = Convert.FromBase64String(protectedValue);
        if (data.Length < NonceBytes + TagBytes)
        {
            throw new CryptographicException("The protected value is too short.");
        }
        var plaintext = new byte[data.Length - NonceBytes - TagBytes];
        using var aes = new AesGcm(key, TagBytes);
        aes.Decrypt(data.AsSpan(0, NonceBytes), data.AsSpan(NonceBytes + TagBytes), data.AsSpan(NonceBytes, TagBytes), plaintext);
        return plaintext;
    }

    public static string ProtectText(string plaintext, byte[] key) => Protect(Encoding.UTF8.GetBytes(plaintext), key);

    public static string UnprotectText(string protectedValue, byte[] key) => Encoding.UTF8.GetString(Unprotect(protectedValue, key));
}
