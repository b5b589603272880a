using DocAIche.ServiceDefaults.Security;
using System.Security.Cryptography;
using DocAIche.Identity.Tokens;

namespace DocAIche.UnitTests.Identity;

public sealed class ServerKeyProtectionTests
{
    [Fact]
    public void A_protected_key_reads_back_with_the_same_key_encryption_key()
    {
        var kek = RandomNumberGenerator.GetBytes(32);
        var material = RandomNumberGenerator.GetBytes(64);

        var stored = SecretBox.Protect(material, kek);

        Assert.Equal(material, SecretBox.Unprotect(stored, kek));
        Assert.DoesNotContain(Convert.ToBase64String(material), stored, StringComparison.Ordinal);
    }

    [Fact]
    public void A_protected_key_does_not_read_with_another_key_encryption_key()
    {
        var stored = SecretBox.Protect(RandomNumberGenerator.GetBytes(64), RandomNumberGenerator.GetBytes(32));

        Assert.ThrowsAny<CryptographicException>(() => SecretBox.Unprotect(stored, RandomNumberGenerator.GetBytes(32)));
    }

    [Fact]
    public void A_tampered_protected_key_does_not_read()
    {
        var kek = RandomNumberGenerator.GetBytes(32);
        var stored = Convert.FromBase64String(SecretBox.Protect(RandomNumberGenerator.GetBytes(64), kek));
        stored[^1] ^= 1;

        Assert.ThrowsAny<CryptographicException>(() => SecretBox.Unprotect(Convert.ToBase64String(stored), kek));
    }

    [Fact]
    public void Api_keys_are_long_random_and_stored_only_as_a_hash()
    {
        var first = ApiKeySecrets.Generate();
        var second = ApiKeySecrets.Generate();

        Assert.True(ApiKeySecrets.LooksLikeKey(first));
        Assert.NotEqual(first, second);
        Assert.Equal(ApiKeySecrets.Hash(first), ApiKeySecrets.Hash(first));
        Assert.NotEqual(ApiKeySecrets.Hash(first), ApiKeySecrets.Hash(second));
        Assert.DoesNotContain(first[4..], ApiKeySecrets.Hash(first), StringComparison.Ordinal);
        Assert.False(ApiKeySecrets.LooksLikeKey("dak_short"));
    }
}
