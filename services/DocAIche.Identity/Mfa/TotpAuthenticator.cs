using System.Security.Cryptography;
using System.Text;
using DocAIche.Identity.Model;
using DocAIche.ServiceDefaults.Security;
using Microsoft.Extensions.Options;
using OtpNet;
using QRCoder;

namespace DocAIche.Identity.Mfa;

/// <summary>What an authenticator app needs to enrol: the secret (for typing), its otpauth URI and that URI as a QR code (SVG).</summary>
public sealed record TotpEnrolment(string Secret, string OtpAuthUri, string QrCodeSvg);

/// <summary>
/// Time-based one-time passwords (RFC 6238: HMAC-SHA1, 6 digits, 30-second steps, one step of
/// clock drift either way) for local accounts, and recovery codes. The secret is sealed with
/// <c>Identity:KeyEncryptionKey</c>; a code is accepted once (its step is remembered), and recovery
/// codes are kept only as keyed hashes and work once each.
/// </summary>
public sealed class TotpAuthenticator(IOptions<IdentityServiceOptions> options, TimeProvider time)
{
    public const int RecoveryCodeCount = 10;
    private const string Issuer = "DocAIche";
    private static readonly VerificationWindow Drift = new(previous: 1, future: 1);

    private byte[] Kek => SecretBox.KeyFrom(options.Value.KeyEncryptionKey);

    /// <summary>A new secret for the user, pending until a code from it is confirmed.</summary>
    public TotpEnrolment Begin(User user)
    {
        var secret = KeyGeneration.GenerateRandomKey(20);
        user.ProtectedTotpSecret = SecretBox.Protect(secret, Kek);
        user.TotpEnabledAt = null;
        user.TotpLastStep = 0;
        return Describe(user);
    }

    /// <summary>The pending or active secret as an authenticator app takes it.</summary>
    public TotpEnrolment Describe(User user)
    {
        var secret = Base32Encoding.ToString(SecretBox.Unprotect(user.ProtectedTotpSecret!, Kek)).TrimEnd('=');
        var label = Uri.EscapeDataString($"{Issuer}:{user.Email}");
        var uri = $"otpauth://totp/{label}?secret={secret}&issuer={Issuer}&algorithm=SHA1&digits=6&period=30";
        using var generator = new QRCodeGenerator();
        using var data = generator.CreateQrCode(uri, QRCodeGenerator.ECCLevel.M);
        var svg = new SvgQRCode(data).GetGraphic(4);
        return new TotpEnrolment(secret, uri, svg);
    }

    /// <summary>Whether the code is the secret's current one (or a step either side) and not used before; remembers its step.</summary>
    public bool VerifyCode(User user, string? code)
    {
        var digits = new string((code ?? "").Where(char.IsAsciiDigit).ToArray());
        if (user.ProtectedTotpSecret is null || digits.Length != 6)
        {
            return false;
        }
        var totp = new Totp(SecretBox.Unprotect(user.ProtectedTotpSecret, Kek));
        if (!totp.VerifyTotp(time.GetUtcNow().UtcDateTime, digits, out var step, Drift) || step <= user.TotpLastStep)
        {
            return false;
        }
        user.TotpLastStep = step;
        return true;
    }

    /// <summary>Confirms a pending enrolment with a code from it; returns the recovery codes (shown once), or null when the code is wrong.</summary>
    public IReadOnlyList<string>? Confirm(User user, string? code)
    {
        if (user.ProtectedTotpSecret is null || !VerifyCode(user, code))
        {
            return null;
        }
        user.TotpEnabledAt = time.GetUtcNow();
        var codes = Enumerable.Range(0, RecoveryCodeCount)
            .Select(_ => RandomNumberGenerator.GetString("abcdefghijkmnpqrstuvwxyz23456789", 10).Insert(5, "-"))
            .ToList();
        user.RecoveryCodeHashes = [.. codes.Select(HashRecoveryCode)];
        return codes;
    }

    /// <summary>Uses up a recovery code when it is one of the user's.</summary>
    public bool UseRecoveryCode(User user, string? code)
    {
        var normalized = (code ?? "").Trim().ToLowerInvariant().Replace(" ", "", StringComparison.Ordinal);
        if (normalized.Length != 11)
        {
            return false;
        }
        var hash = HashRecoveryCode(normalized);
        if (!user.RecoveryCodeHashes.Contains(hash))
        {
            return false;
        }
        user.RecoveryCodeHashes = [.. user.RecoveryCodeHashes.Where(h => h != hash)];
        return true;
    }

    public static void TurnOff(User user)
    {
        user.ProtectedTotpSecret = null;
        user.TotpEnabledAt = null;
        user.TotpLastStep = 0;
        user.RecoveryCodeHashes = [];
    }

    // Keyed: recovery codes have ~50 bits, too few to survive an offline guess against a plain hash of a stolen database.
    private string HashRecoveryCode(string code) => Convert.ToHexStringLower(HMACSHA256.HashData(Kek, Encoding.UTF8.GetBytes(code)));
}
