using System.Security.Cryptography;
using DocAIche.Audit.Apis;
using DocAIche.Audit.Trail;

namespace DocAIche.UnitTests.Audit;

public sealed class SubjectKeysTests
{
    [Fact]
    public void A_sealed_part_opens_with_its_key_only()
    {
        var key = RandomNumberGenerator.GetBytes(32);
        var part = new SealedPart("user:42", "203.0.113.9", new Dictionary<string, string> { ["name"] = "docs" });
        var sealedValue = SubjectKeys.Seal(key, part);

        Assert.DoesNotContain("203.0.113.9", sealedValue, StringComparison.Ordinal);
        var opened = SubjectKeys.Unseal(key, sealedValue);
        Assert.Equal("user:42", opened!.Subject);
        Assert.Equal("203.0.113.9", opened.ClientAddress);
        Assert.Equal("docs", opened.Details!["name"]);

        // An erased key (null) or any other key opens nothing, and never throws.
        Assert.Null(SubjectKeys.Unseal(null, sealedValue));
        Assert.Null(SubjectKeys.Unseal(RandomNumberGenerator.GetBytes(32), sealedValue));
    }

    [Fact]
    public void The_blind_index_is_stable_per_key_and_unlinkable_across_keys()
    {
        var key = RandomNumberGenerator.GetBytes(32);
        Assert.Equal(SubjectKeys.Index(key, "user:42"), SubjectKeys.Index(key, "user:42"));
        Assert.NotEqual(SubjectKeys.Index(key, "user:42"), SubjectKeys.Index(key, "user:43"));
        Assert.NotEqual(SubjectKeys.Index(key, "user:42"), SubjectKeys.Index(RandomNumberGenerator.GetBytes(32), "user:42"));
    }

    [Theory]
    [InlineData("user:0f8fad5b-d9cb-469f-a165-70867728950e", "user")]
    [InlineData("apikey:0f8fad5b-d9cb-469f-a165-70867728950e", "apikey")]
    [InlineData("client:ci", "client")]
    [InlineData("service:documents", "service")]
    [InlineData("schedule", "service")]
    [InlineData("anonymous", "anonymous")]
    public void Actors_are_typed_by_their_prefix(string actor, string type) => Assert.Equal(type, AuditEntry.ActorTypeOf(actor));

    [Fact]
    public void Users_and_their_api_keys_are_personal_and_services_are_not()
    {
        Assert.True(AuditEntry.IsPersonal("user:1"));
        Assert.True(AuditEntry.IsPersonal("apikey:1"));
        Assert.False(AuditEntry.IsPersonal("service:audit"));
        Assert.False(AuditEntry.IsPersonal("client:ci"));
        Assert.Equal("user:9", new AuditEntry("t", DateTimeOffset.UnixEpoch, "anonymous", "user.sign_in_failed", "user", "9", "failure").TargetSubject);
        Assert.Equal("apikey:9", new AuditEntry("t", DateTimeOffset.UnixEpoch, "user:1", "api_key.created", "api_key", "9", "success").TargetSubject);
        Assert.Null(new AuditEntry("t", DateTimeOffset.UnixEpoch, "user:1", "library.created", "library", "9", "success").TargetSubject);
    }

    [Theory]
    [InlineData("0f8fad5b-d9cb-469f-a165-70867728950e", "user:0f8fad5b-d9cb-469f-a165-70867728950e")]
    [InlineData("user:0F8FAD5B-D9CB-469F-A165-70867728950E", "user:0f8fad5b-d9cb-469f-a165-70867728950e")]
    [InlineData("apikey:0f8fad5b-d9cb-469f-a165-70867728950e", null)]
    [InlineData("someone@example.test", null)]
    public void Privacy_subjects_are_users(string given, string? subject) => Assert.Equal(subject, PrivacyApi.Normalise(given));

    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("a,b", "\"a,b\"")]
    [InlineData("say \"hi\"", "\"say \"\"hi\"\"\"")]
    [InlineData("=HYPERLINK(\"x\")", "\"'=HYPERLINK(\"\"x\"\")\"")]
    [InlineData("-1", "'-1")]
    [InlineData(null, "")]
    public void Csv_fields_are_quoted_and_never_run_as_formulas(string? value, string expected) => Assert.Equal(expected, AuditRecordsApi.Field(value));
}
