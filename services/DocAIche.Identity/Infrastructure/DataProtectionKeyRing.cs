using System.Xml.Linq;
using DocAIche.ServiceDefaults.Security;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.XmlEncryption;
using Microsoft.Extensions.Options;

namespace DocAIche.Identity.Infrastructure;

/// <summary>
/// The key ring that protects the sign-in cookie and the form's antiforgery token, shared by every
/// identity instance through the identity database (a sign-in may start on one replica and finish
/// on another, or outlive a restart), and sealed with the deployment's key-encryption key, so the
/// database alone cannot forge a cookie.
/// </summary>
public static class DataProtectionKeyRing
{
    public static IHostApplicationBuilder AddSharedDataProtection(this IHostApplicationBuilder builder)
    {
        builder.Services.AddDataProtection()
            .SetApplicationName("DocAIche.Identity")
            .PersistKeysToDbContext<IdentityDbContext>();
        builder.Services.AddOptions<KeyManagementOptions>().Configure<IOptions<IdentityServiceOptions>>((keys, identity) =>
            keys.XmlEncryptor = new SealingXmlEncryptor(SecretBox.KeyFrom(identity.Value.KeyEncryptionKey)));
        builder.Services.AddSingleton<SealedXmlDecryptorKey>(services =>
            new SealedXmlDecryptorKey(SecretBox.KeyFrom(services.GetRequiredService<IOptions<IdentityServiceOptions>>().Value.KeyEncryptionKey)));
        return builder;
    }
}

/// <summary>The key-encryption key, for <see cref="SealedXmlDecryptor"/> (which Data Protection creates by type).</summary>
public sealed record SealedXmlDecryptorKey(byte[] Key);

/// <summary>Seals a key's XML with AES-256-GCM under the key-encryption key.</summary>
public sealed class SealingXmlEncryptor(byte[] key) : IXmlEncryptor
{
    public EncryptedXmlInfo Encrypt(XElement plaintextElement)
    {
        ArgumentNullException.ThrowIfNull(plaintextElement);
        var sealedValue = SecretBox.ProtectText(plaintextElement.ToString(SaveOptions.DisableFormatting), key);
        return new EncryptedXmlInfo(new XElement("sealed", sealedValue), typeof(SealedXmlDecryptor));
    }
}

/// <summary>Opens what <see cref="SealingXmlEncryptor"/> sealed.</summary>
public sealed class SealedXmlDecryptor(IServiceProvider services) : IXmlDecryptor
{
    public XElement Decrypt(XElement encryptedElement)
    {
        ArgumentNullException.ThrowIfNull(encryptedElement);
        var key = services.GetRequiredService<SealedXmlDecryptorKey>().Key;
        return XElement.Parse(SecretBox.UnprotectText(encryptedElement.Value, key));
    }
}
