namespace DocAIche.Identity.Model;

/// <summary>
/// A key of the token server: RSA for signing tokens, AES for encrypting the tokens only the server
/// reads (codes, refresh tokens). Stored encrypted with the deployment's key-encryption key, so the
/// database alone does not give them away.
/// </summary>
public sealed class ServerKey
{
    /// <summary>The key id (<c>kid</c>); lets validators pick the right key while old ones are still trusted.</summary>
    public required string Id { get; set; }

    /// <summary><c>sig</c> or <c>enc</c>.</summary>
    public required string Use { get; set; }

    /// <summary>AES-GCM(nonce | ciphertext | tag) of the key material, base64.</summary>
    public required string ProtectedKey { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>When it stopped being used for new tokens; it stays published until its tokens expire.</summary>
    public DateTimeOffset? RetiredAt { get; set; }

    public const string Signing = "sig";
    public const string Encryption = "enc";
}
