using DocAIche.Identity;
using DocAIche.Identity.Mfa;
using DocAIche.Identity.Model;
using Microsoft.Extensions.Options;
using OtpNet;

namespace DocAIche.UnitTests.Identity;

/// <summary>RFC 6238 codes against a clock the test sets, with Otp.NET as the person's authenticator app.</summary>
public sealed class TotpAuthenticatorTests
{
    private sealed class Clock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;

        public override DateTimeOffset GetUtcNow() => Now;
    }

    private readonly Clock clock = new(new DateTimeOffset(2026, 12, 7, 12, 0, 10, TimeSpan.Zero));
    private readonly TotpAuthenticator totp;
    private readonly User user = new() { Id = Guid.NewGuid(), TenantId = "t", Email = "ivan@example.com", NormalizedEmail = "IVAN@EXAMPLE.COM", DisplayName = "Ivan" };

    public TotpAuthenticatorTests() =>
        totp = new TotpAuthenticator(Options.Create(new IdentityServiceOptions { KeyEncryptionKey = new string('k', 40) }), clock);

    private string App(DateTimeOffset at, string secret) => new Totp(Base32Encoding.ToBytes(secret)).ComputeTotp(at.UtcDateTime);

    [Fact]
    public void Enrolment_gives_the_app_its_secret_and_needs_a_current_code_to_turn_on()
    {
        var enrolment = totp.Begin(user);
        Assert.Contains($"secret={enrolment.Secret}", enrolment.OtpAuthUri, StringComparison.Ordinal);
        Assert.StartsWith("otpauth://totp/DocAIche%3Aivan%40example.com?", enrolment.OtpAuthUri, StringComparison.Ordinal);
        Assert.Contains("<svg", enrolment.QrCodeSvg, StringComparison.Ordinal);
        Assert.DoesNotContain(enrolment.Secret, user.ProtectedTotpSecret!, StringComparison.Ordinal);

        Assert.Null(totp.Confirm(user, App(clock.Now.AddMinutes(5), enrolment.Secret)));
        Assert.Null(user.TotpEnabledAt);
        var codes = totp.Confirm(user, App(clock.Now, enrolment.Secret));
        Assert.NotNull(codes);
        Assert.Equal(TotpAuthenticator.RecoveryCodeCount, codes.Distinct().Count());
        Assert.Equal(clock.Now, user.TotpEnabledAt);
        Assert.DoesNotContain(codes[0], user.RecoveryCodeHashes);
    }

    [Fact]
    public void A_code_works_once_within_one_step_of_drift()
    {
        var secret = totp.Begin(user).Secret;
        Assert.NotNull(totp.Confirm(user, App(clock.Now, secret)));

        Assert.False(totp.VerifyCode(user, App(clock.Now, secret)));                 // used by the enrolment
        Assert.True(totp.VerifyCode(user, App(clock.Now.AddSeconds(30), secret)));   // the app's clock a step ahead
        Assert.False(totp.VerifyCode(user, App(clock.Now.AddSeconds(30), secret)));  // replayed
        clock.Now = clock.Now.AddMinutes(2);
        Assert.False(totp.VerifyCode(user, App(clock.Now.AddSeconds(-90), secret))); // three steps old
        Assert.True(totp.VerifyCode(user, App(clock.Now, secret)));
        Assert.False(totp.VerifyCode(user, "12345"));
        Assert.False(totp.VerifyCode(user, null));
    }

    [Fact]
    public void A_recovery_code_works_once_and_turning_off_forgets_everything()
    {
        var secret = totp.Begin(user).Secret;
        var codes = totp.Confirm(user, App(clock.Now, secret))!;

        Assert.True(totp.UseRecoveryCode(user, codes[3].ToUpperInvariant()));
        Assert.False(totp.UseRecoveryCode(user, codes[3]));
        Assert.False(totp.UseRecoveryCode(user, "aaaaa-aaaaa"));
        Assert.Equal(TotpAuthenticator.RecoveryCodeCount - 1, user.RecoveryCodeHashes.Count);

        TotpAuthenticator.TurnOff(user);
        Assert.Null(user.ProtectedTotpSecret);
        Assert.Null(user.TotpEnabledAt);
        Assert.Empty(user.RecoveryCodeHashes);
        Assert.False(totp.VerifyCode(user, App(clock.Now.AddSeconds(30), secret)));
    }
}
