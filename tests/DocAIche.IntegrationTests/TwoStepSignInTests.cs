using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using DocAIche.IntegrationTests.Support;
using OtpNet;

namespace DocAIche.IntegrationTests;

/// <summary>
/// Two-step sign-in (TOTP) through the gateway and the real sign-in form, with Otp.NET as the
/// person's authenticator app. A code works once, so each sign-in here uses the next time step's
/// code (the server accepts one step of drift).
/// </summary>
[Collection(DocAIcheCollection.Name)]
public sealed partial class TwoStepSignInTests(DocAIcheFixture docaiche)
{
    private static string Code(string secret, int stepsAhead = 0) =>
        new Totp(Base32Encoding.ToBytes(secret)).ComputeTotp(DateTime.UtcNow.AddSeconds(30 * stepsAhead));

    [GeneratedRegex("id=\"totp-secret\">([A-Z2-7]+)<")]
    private static partial Regex SecretOnPage();

    [Fact]
    public async Task A_person_turns_on_an_authenticator_then_signs_in_with_its_codes_or_a_recovery_code()
    {
        using var tenant = await TenantSession.StartAsync(docaiche);
        var user = await tenant.CreateUserAsync("Ivan", "viewer");

        using var begun = await user.Client.PostAsync("/api/v1/users/me/mfa", null);
        Assert.Equal(HttpStatusCode.OK, begun.StatusCode);
        var enrolment = await begun.Content.ReadFromJsonAsync<JsonElement>();
        var secret = enrolment.GetProperty("secret").GetString()!;
        Assert.Contains($"secret={secret}", enrolment.GetProperty("otpAuthUri").GetString(), StringComparison.Ordinal);
        Assert.Contains("<svg", enrolment.GetProperty("qrCodeSvg").GetString(), StringComparison.Ordinal);

        using (var wrong = await user.Client.PostAsJsonAsync("/api/v1/users/me/mfa/confirm", new { code = Code(secret, stepsAhead: 10) }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, wrong.StatusCode);
        }
        using var confirmed = await user.Client.PostAsJsonAsync("/api/v1/users/me/mfa/confirm", new { code = Code(secret) });
        Assert.Equal(HttpStatusCode.OK, confirmed.StatusCode);
        var recoveryCodes = (await confirmed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("recoveryCodes").EnumerateArray().Select(c => c.GetString()!).ToList();
        Assert.Equal(10, recoveryCodes.Distinct().Count());

        // The password alone no longer signs in.
        var (status, tokens, page) = await OidcTestClient.TrySignInAsync(docaiche.GatewayAddress, user.Email, user.Password);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Null(tokens);
        Assert.Contains("Two-step sign-in", page, StringComparison.Ordinal);

        var withCode = await OidcTestClient.SignInWithSecondStepAsync(docaiche.GatewayAddress, user.Email, user.Password, _ => Code(secret, stepsAhead: 1));
        Assert.True(withCode.Tokens is not null, $"{withCode.Status}: {withCode.Page}");

        // The same code again (already used), a wrong one, a forged ticket: refused.
        var replayed = await OidcTestClient.SignInWithSecondStepAsync(docaiche.GatewayAddress, user.Email, user.Password, _ => Code(secret, stepsAhead: 1));
        Assert.Equal(HttpStatusCode.BadRequest, replayed.Status);
        var forged = await OidcTestClient.SignInWithSecondStepAsync(docaiche.GatewayAddress, user.Email, user.Password, _ => Code(secret), ticketOverride: "forged");
        Assert.Equal(HttpStatusCode.BadRequest, forged.Status);
        Assert.Contains("Start again", forged.Page, StringComparison.Ordinal);

        // A recovery code works once.
        var recovered = await OidcTestClient.SignInWithSecondStepAsync(docaiche.GatewayAddress, user.Email, user.Password, _ => recoveryCodes[0]);
        Assert.True(recovered.Tokens is not null, $"{recovered.Status}: {recovered.Page}");
        var again = await OidcTestClient.SignInWithSecondStepAsync(docaiche.GatewayAddress, user.Email, user.Password, _ => recoveryCodes[0]);
        Assert.Equal(HttpStatusCode.BadRequest, again.Status);

        var state = await user.Client.GetFromJsonAsync<JsonElement>("/api/v1/users/me/mfa");
        Assert.True(state.GetProperty("enabled").GetBoolean());
        Assert.Equal(9, state.GetProperty("recoveryCodesLeft").GetInt32());
    }

    [Fact]
    public async Task A_tenant_that_requires_two_step_sign_in_enrols_its_people_at_their_next_sign_in()
    {
        using var tenant = await TenantSession.StartAsync(docaiche);
        var user = await tenant.CreateUserAsync("Judy", "viewer");
        using (var viewerSets = await user.Client.PutAsJsonAsync("/api/v1/users/mfa-policy", new { required = true }))
        {
            Assert.Equal(HttpStatusCode.Forbidden, viewerSets.StatusCode);
        }
        using (var required = await tenant.Owner.PutAsJsonAsync("/api/v1/users/mfa-policy", new { required = true }))
        {
            Assert.Equal(HttpStatusCode.OK, required.StatusCode);
        }

        string? secret = null;
        var enrolled = await OidcTestClient.SignInWithSecondStepAsync(docaiche.GatewayAddress, user.Email, user.Password, page =>
        {
            Assert.Contains("Set up two-step sign-in", page, StringComparison.Ordinal);
            Assert.Contains("<svg", page, StringComparison.Ordinal);
            secret = SecretOnPage().Match(page).Groups[1].Value;
            return Code(secret);
        });
        Assert.True(enrolled.Tokens is not null, $"{enrolled.Status}: {enrolled.Page}");
        Assert.Contains("id=\"recovery-codes\"", enrolled.Page, StringComparison.Ordinal);

        // Required: it cannot be turned off by the person; an admin resets it for a lost device, and the next sign-in enrols again.
        using var judy = docaiche.CreateClient(enrolled.Tokens.AccessToken);
        using (var off = await judy.PostAsJsonAsync("/api/v1/users/me/mfa/disable", new { code = Code(secret!, stepsAhead: 1) }))
        {
            Assert.Equal(HttpStatusCode.Forbidden, off.StatusCode);
        }
        using (var reset = await tenant.Owner.DeleteAsync($"/api/v1/users/{user.Id}/mfa"))
        {
            Assert.Equal(HttpStatusCode.NoContent, reset.StatusCode);
        }
        var reenrol = await OidcTestClient.SignInWithSecondStepAsync(docaiche.GatewayAddress, user.Email, user.Password, page =>
        {
            Assert.Contains("Set up two-step sign-in", page, StringComparison.Ordinal);
            return "123";
        });
        Assert.Equal(HttpStatusCode.BadRequest, reenrol.Status);

        // People of other tenants are not asked.
        Assert.NotNull((await OidcTestClient.TrySignInAsync(docaiche.GatewayAddress, DocAIcheFixture.OwnerEmail, docaiche.OwnerPassword)).Tokens);
    }
}
