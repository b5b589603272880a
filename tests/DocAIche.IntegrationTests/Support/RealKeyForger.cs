using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using DocAIche.Identity.Tokens;
using Npgsql;

namespace DocAIche.IntegrationTests.Support;

/// <summary>
/// Signs tokens with the token server's real, current signing key (read from its database and
/// decrypted with the run's key-encryption key), so a test can prove that a correctly signed token
/// is still refused when its lifetime, audience or issuer is wrong.
/// </summary>
public sealed class RealKeyForger : IDisposable
{
    private readonly RSA _key;
    private readonly string _keyId;

    private RealKeyForger(RSA key, string keyId)
    {
        _key = key;
        _keyId = keyId;
    }

    public static async Task<RealKeyForger> LoadAsync(DocAIcheFixture docaiche)
    {
        var connectionString = await docaiche.App.GetConnectionStringAsync("identitydb")
            ?? throw new InvalidOperationException("No identitydb connection string.");
        var kek = SHA256.HashData(Encoding.UTF8.GetBytes(
            (await File.ReadAllTextAsync(Path.Combine(docaiche.DataPath, "secrets", "identity-key-encryption-key"))).Trim()));

        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("""SELECT "Id", "ProtectedKey" FROM server_keys WHERE "Use" = 'sig' AND "RetiredAt" IS NULL""", connection);
        await using var reader = await command.ExecuteReaderAsync();
        if (!await reader.ReadAsync())
        {
            throw new InvalidOperationException("The token server has no signing key yet.");
        }
        var rsa = RSA.Create();
        rsa.ImportPkcs8PrivateKey(DocAIche.ServiceDefaults.Security.SecretBox.Unprotect(reader.GetString(1), kek), out _);
        return new RealKeyForger(rsa, reader.GetString(0));
    }

    public string Sign(object claims)
    {
        var header = Base64Url(JsonSerializer.SerializeToUtf8Bytes(new { alg = "RS256", typ = "at+jwt", kid = _keyId }));
        var signingInput = $"{header}.{Base64Url(JsonSerializer.SerializeToUtf8Bytes(claims))}";
        return $"{signingInput}.{Base64Url(_key.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1))}";
    }

    public void Dispose() => _key.Dispose();

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
