using System.Xml.Linq;
using DocAIche.Identity.Infrastructure;
using DocAIche.ServiceDefaults.Security;
using Microsoft.Extensions.DependencyInjection;

namespace DocAIche.UnitTests.Identity;

public sealed class DataProtectionKeyRingTests
{
    private static readonly byte[] Key = SecretBox.KeyFrom("a key-encryption key of the deployment, 32+ chars");

    [Fact]
    public void A_sealed_key_opens_with_the_deployments_key_and_reads_as_nothing_without_it()
    {
        var secret = new XElement("masterKey", new XElement("value", "c2VjcmV0IGtleSBtYXRlcmlhbA=="));

        var sealedXml = new SealingXmlEncryptor(Key).Encrypt(secret);

        Assert.DoesNotContain("c2VjcmV0", sealedXml.EncryptedElement.ToString(), StringComparison.Ordinal);
        Assert.Equal(typeof(SealedXmlDecryptor), sealedXml.DecryptorType);
        using var services = new ServiceCollection().AddSingleton(new SealedXmlDecryptorKey(Key)).BuildServiceProvider();
        Assert.Equal(secret.ToString(), new SealedXmlDecryptor(services).Decrypt(sealedXml.EncryptedElement).ToString());

        using var others = new ServiceCollection().AddSingleton(new SealedXmlDecryptorKey(SecretBox.KeyFrom("another deployment's key, also 32+ chars"))).BuildServiceProvider();
        Assert.ThrowsAny<System.Security.Cryptography.CryptographicException>(() => new SealedXmlDecryptor(others).Decrypt(sealedXml.EncryptedElement));
    }
}
