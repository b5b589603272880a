using DocAIche.ServiceDefaults.Security;
using System.Security.Cryptography;
using System.Text;
using DocAIche.Identity.Infrastructure;
using DocAIche.Identity.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Server;

namespace DocAIche.Identity.Tokens;

/// <summary>
/// Gives the token server its keys: generated once, stored in the identity database encrypted
/// (AES-GCM) with the deployment's key-encryption key, and read back on every start. Retired
/// signing keys stay published in the JWKS so tokens they signed keep validating until expiry.
/// </summary>
public sealed partial class ServerKeyStore(
    IServiceScopeFactory scopes,
    IOptions<IdentityServiceOptions> options,
    TimeProvider time,
    ILogger<ServerKeyStore> logger) : IConfigureOptions<OpenIddictServerOptions>
{
    public void Configure(OpenIddictServerOptions server)
    {
        using var scope = scopes.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<IdentityDbContext>();
        var kek = SecretBox.KeyFrom(options.Value.KeyEncryptionKey);

        var keys = Load(db, kek);
        if (!keys.Any(k => k.Key.Use == ServerKey.Signing && k.Key.RetiredAt is null))
        {
            keys.Add(Create(db, kek, ServerKey.Signing, RSA.Create(3072).ExportPkcs8PrivateKey()));
        }
        if (!keys.Any(k => k.Key.Use == ServerKey.Encryption && k.Key.RetiredAt is null))
        {
            keys.Add(Create(db, kek, ServerKey.Encryption, RandomNumberGenerator.GetBytes(32)));
        }

        // A key from configuration signs new tokens; the stored ones stay published for the tokens they signed.
        if (!string.IsNullOrWhiteSpace(options.Value.SigningKeyPem))
        {
            var configured = RSA.Create();
            configured.ImportFromPem(options.Value.SigningKeyPem);
            var keyId = "cfg-" + Convert.ToHexStringLower(SHA256.HashData(configured.ExportSubjectPublicKeyInfo()))[..16];
            server.SigningCredentials.Add(new SigningCredentials(new RsaSecurityKey(configured) { KeyId = keyId }, SecurityAlgorithms.RsaSha256));
        }

        // The active key first: OpenIddict signs and encrypts with the first credential.
        foreach (var (key, material) in keys.OrderBy(k => k.Key.RetiredAt is null ? 0 : 1).ThenByDescending(k => k.Key.CreatedAt))
        {
            if (key.Use == ServerKey.Signing)
            {
                var rsa = RSA.Create();
                rsa.ImportPkcs8PrivateKey(material, out _);
                server.SigningCredentials.Add(new SigningCredentials(new RsaSecurityKey(rsa) { KeyId = key.Id }, SecurityAlgorithms.RsaSha256));
            }
            else if (key.RetiredAt is null)
            {
                server.EncryptionCredentials.Add(new EncryptingCredentials(
                    new SymmetricSecurityKey(material) { KeyId = key.Id }, SecurityAlgorithms.Aes256KW, SecurityAlgorithms.Aes256CbcHmacSha512));
            }
        }
    }

    private List<(ServerKey Key, byte[] Material)> Load(IdentityDbContext db, byte[] kek)
    {
        var loaded = new List<(ServerKey, byte[])>();
        foreach (var key in db.ServerKeys.AsNoTracking().ToList())
        {
            try
            {
                loaded.Add((key, SecretBox.Unprotect(key.ProtectedKey, kek)));
            }
            catch (CryptographicException)
            {
                // Another key-encryption key wrote it: it cannot be used, and tokens it signed cannot be validated.
                LogUnreadableKey(logger, key.Id);
                if (key.RetiredAt is null)
                {
                    db.ServerKeys.Where(k => k.Id == key.Id).ExecuteUpdate(k => k.SetProperty(x => x.RetiredAt, time.GetUtcNow()));
                }
            }
        }
        return loaded;
    }

    private (ServerKey, byte[]) Create(IdentityDbContext db, byte[] kek, string use, byte[] material)
    {
        var key = new ServerKey
        {
            Id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8)),
            Use = use,
            ProtectedKey = SecretBox.Protect(material, kek),
            CreatedAt = time.GetUtcNow(),
        };
        db.ServerKeys.Add(key);
        try
        {
            db.SaveChanges();
            LogCreatedKey(logger, use, key.Id);
            return (key, material);
        }
        catch (DbUpdateException)
        {
            // Another instance created it first; use theirs.
            db.ChangeTracker.Clear();
            var theirs = db.ServerKeys.AsNoTracking().Single(k => k.Use == use && k.RetiredAt == null);
            return (theirs, SecretBox.Unprotect(theirs.ProtectedKey, kek));
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Created a new {Use} key {KeyId} for the token server")]
    private static partial void LogCreatedKey(ILogger logger, string use, string keyId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Server key {KeyId} cannot be decrypted with the configured key-encryption key; it is retired")]
    private static partial void LogUnreadableKey(ILogger logger, string keyId);
}
