using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using DocAIche.IntegrationTests.Support;

namespace DocAIche.IntegrationTests;

/// <summary>
/// The evidence an auditor asks for, through the gateway: the access review (identity) and the
/// compliance report (audit), as JSON and CSV, each generation itself audited.
/// </summary>
[Collection(DocAIcheCollection.Name)]
public sealed class ComplianceReportTests(DocAIcheFixture docaiche)
{
    [Fact]
    public async Task The_access_review_lists_roles_sign_ins_and_keys_with_their_age_and_use()
    {
        using var tenant = await TenantSession.StartAsync(docaiche);
        var viewer = await tenant.CreateUserAsync("Val Viewer", "viewer");
        using var unused = await tenant.Owner.PostAsJsonAsync("/api/v1/api-keys", new { name = "never used", roles = new[] { "viewer" } });
        var unusedKey = await unused.Content.ReadFromJsonAsync<JsonElement>();
        using var used = await tenant.Owner.PostAsJsonAsync("/api/v1/api-keys", new { name = "used", roles = new[] { "viewer" } });
        var usedKey = await used.Content.ReadFromJsonAsync<JsonElement>();
        using (var agent = docaiche.CreateClient())
        {
            agent.DefaultRequestHeaders.Add("X-Api-Key", usedKey.GetProperty("key").GetString());
            Assert.Equal(HttpStatusCode.OK, (await agent.GetAsync("/api/v1/libraries")).StatusCode);
        }
        using var client = await tenant.Owner.PostAsJsonAsync("/api/v1/clients", new { displayName = "nightly", roles = new[] { "viewer" } });
        Assert.Equal(HttpStatusCode.Created, client.StatusCode);

        var review = await tenant.Owner.GetFromJsonAsync<JsonElement>("/api/v1/reports/access-review");
        var val = review.GetProperty("users").EnumerateArray().Single(u => u.GetProperty("email").GetString() == viewer.Email);
        Assert.Equal(["viewer"], val.GetProperty("roles").EnumerateArray().Select(r => r.GetString()));
        Assert.Equal("password", val.GetProperty("signsInWith").GetString());
        Assert.NotEqual(JsonValueKind.Null, val.GetProperty("lastSignInAt").ValueKind);
        var keys = review.GetProperty("apiKeys").EnumerateArray().ToList();
        Assert.True(keys.Single(k => k.GetProperty("id").GetString() == unusedKey.GetProperty("id").GetString()).GetProperty("neverUsed").GetBoolean());
        Assert.False(keys.Single(k => k.GetProperty("id").GetString() == usedKey.GetProperty("id").GetString()).GetProperty("neverUsed").GetBoolean());
        Assert.Contains(review.GetProperty("clients").EnumerateArray(), c => c.GetProperty("displayName").GetString() == "nightly");
        Assert.False(review.GetProperty("twoStepRequired").GetBoolean());

        using var csv = await tenant.Owner.GetAsync("/api/v1/reports/access-review?format=csv&section=api-keys");
        Assert.Equal("text/csv", csv.Content.Headers.ContentType?.MediaType);
        var lines = (await csv.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("id,name,prefix,created_by,roles,created_at,age_days", lines[0], StringComparison.Ordinal);
        Assert.Contains(lines, l => l.StartsWith(unusedKey.GetProperty("id").GetString()!, StringComparison.Ordinal) && l.TrimEnd('\r').EndsWith(",true", StringComparison.Ordinal));

        using (var bad = await tenant.Owner.GetAsync("/api/v1/reports/access-review?format=csv"))
        {
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        }
        using (var notAllowed = await viewer.Client.GetAsync("/api/v1/reports/access-review"))
        {
            Assert.Equal(HttpStatusCode.Forbidden, notAllowed.StatusCode);
        }
        await AuditTests.RecordsEventuallyAsync(tenant.Owner, "&action=report.generated&target=access-review", 2, "the access reviews generated, audited");
    }

    [Fact]
    public async Task The_compliance_report_shows_chain_verifications_privacy_completion_times_and_retention()
    {
        using var tenant = await TenantSession.StartAsync(docaiche);
        using (var verified = await tenant.Owner.GetAsync("/api/v1/audit/verify"))
        {
            Assert.Equal(HttpStatusCode.OK, verified.StatusCode);
        }
        using var export = await tenant.Owner.PostAsJsonAsync("/api/v1/privacy/exports", new { });
        Assert.Equal(HttpStatusCode.Accepted, export.StatusCode);
        var exportId = (await export.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();
        await Eventually.Async(async () => (await tenant.Owner.GetFromJsonAsync<JsonElement>(export.Headers.Location)).GetProperty("state").GetString(),
            s => s == "completed", TimeSpan.FromSeconds(90), "the export to complete");

        var report = await tenant.Owner.GetFromJsonAsync<JsonElement>("/api/v1/reports/compliance?days=30");
        var run = Assert.Single(report.GetProperty("chainVerifications").EnumerateArray());
        Assert.True(run.GetProperty("verified").GetBoolean());
        Assert.Equal(tenant.OwnerSubject, run.GetProperty("requestedBy").GetString());
        var request = report.GetProperty("privacyRequests").EnumerateArray().Single(r => r.GetProperty("id").GetString() == exportId);
        Assert.Equal("completed", request.GetProperty("state").GetString());
        Assert.True(request.GetProperty("hoursToComplete").GetDouble() >= 0);
        Assert.Equal(1, report.GetProperty("privacy").GetProperty("completed").GetInt32());
        Assert.True(report.GetProperty("retention").GetProperty("auditRecordDays").GetInt32() > 0);

        using var csv = await tenant.Owner.GetAsync("/api/v1/reports/compliance?format=csv&section=privacy");
        var lines = (await csv.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("id,kind,state,created_at,completed_at,hours_to_complete", lines[0].TrimEnd('\r'));
        Assert.Contains(lines, l => l.StartsWith($"{exportId},export,completed,", StringComparison.Ordinal));
        using (var bad = await tenant.Owner.GetAsync("/api/v1/reports/compliance?days=0"))
        {
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        }
        await AuditTests.RecordsEventuallyAsync(tenant.Owner, "&action=report.generated&target=compliance", 2, "the compliance reports generated, audited");
    }
}
