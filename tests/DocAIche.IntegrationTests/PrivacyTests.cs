using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using DocAIche.IntegrationTests.Support;

namespace DocAIche.IntegrationTests;

/// <summary>A data subject's export and erasure, answered by every service that holds personal data.</summary>
[Collection(DocAIcheCollection.Name)]
public sealed class PrivacyTests(DocAIcheFixture docaiche)
{
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(90);

    private static async Task<PrivacyRequestRow> CompletedAsync(HttpClient client, string location) =>
        await Eventually.Async(async () => (await client.GetFromJsonAsync<PrivacyRequestRow>(location, GatewayClient.Json))!,
            r => r.State == "completed", RequestTimeout, $"{location} to complete");

    private static async Task<string> RequestAsync(HttpClient client, string kind, object body)
    {
        using var response = await client.PostAsJsonAsync($"/api/v1/privacy/{kind}", body);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return response.Headers.Location!.ToString();
    }

    [Fact]
    public async Task An_export_holds_the_subjects_data_from_every_service_and_an_erasure_leaves_none_while_the_chain_still_verifies()
    {
        using var tenant = await TenantSession.StartAsync(docaiche);
        var marker = GatewayClient.UniqueWord("zq");
        var subject = await tenant.CreateUserAsync($"Priya {marker}", "editor");
        var bystander = await tenant.CreateUserAsync("Bea Bystander", "viewer");

        // The subject leaves traces in every service.
        var library = await subject.Client.CreateLibraryAsync(GatewayClient.UniqueWord("mine"), ["1"]);
        var source = await subject.Client.CreateSourceAsync(library.Id, "1", new { kind = "upload" });
        var pageWord = GatewayClient.UniqueWord("topic");
        var document = await subject.Client.StoreDocumentAsync(source.Id, "guide.md", $"# Guide\n\nHow {pageWord} works, step by step.");
        var comment = $"comment {GatewayClient.UniqueWord("remark")}";
        await Eventually.Async(async () =>
        {
            using var feedback = await subject.Client.PostAsJsonAsync("/api/v1/feedback", new { documentId = document.Id, kind = "helpful", comment });
            return feedback.StatusCode;
        }, s => s == HttpStatusCode.Created, RequestTimeout, "feedback on the indexed page");
        var query = GatewayClient.UniqueWord("lookup");
        await subject.Client.GetFromJsonAsync<JsonElement>($"/api/v1/search?q={query}");
        await using (var search = await docaiche.OpenAsync("searchdb"))
        {
            await Eventually.Async(() => search.ScalarAsync<long>("""SELECT count(*) FROM query_history WHERE "Subject" = @s""", ("s", subject.Subject)),
                n => n > 0, RequestTimeout, "the search in query history");
        }
        using (var key = await subject.Client.PostAsJsonAsync("/api/v1/api-keys", new { name = $"key of {marker}", roles = new[] { "viewer" } }))
        {
            Assert.Equal(HttpStatusCode.Created, key.StatusCode);
        }
        await AuditTests.RecordsEventuallyAsync(tenant.Owner, $"&actor={subject.Subject}&action=api_key.created");
        await AuditTests.RecordsEventuallyAsync(tenant.Owner, $"&actor={subject.Subject}&action=feedback.given");

        // Only admins and owners ask for someone else's data; anyone may ask for their own.
        using (var refused = await bystander.Client.PostAsJsonAsync("/api/v1/privacy/exports", new { subjectId = subject.Subject }))
        {
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        }
        using (var bad = await tenant.Owner.PostAsJsonAsync("/api/v1/privacy/exports", new { subjectId = "someone@example.test" }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        }
        var own = await CompletedAsync(subject.Client, await RequestAsync(subject.Client, "exports", new { }));
        Assert.Equal(subject.Subject, own.SubjectId);

        var export = await CompletedAsync(tenant.Owner, await RequestAsync(tenant.Owner, "exports", new { subjectId = subject.Id.ToString() }));
        Assert.Equal(4, export.Services.Count);
        Assert.Equal(HttpStatusCode.NotFound, (await bystander.Client.GetAsync($"/api/v1/privacy/exports/{export.Id}")).StatusCode);
        using var bundle = JsonDocument.Parse(await tenant.Owner.GetStringAsync(export.BundleUrl));
        var services = bundle.RootElement.GetProperty("services");
        Assert.Equal(subject.Email, services.GetProperty("identity").GetProperty("user").GetProperty("email").GetString());
        Assert.Equal($"key of {marker}", services.GetProperty("identity").GetProperty("apiKeys")[0].GetProperty("name").GetString());
        Assert.Equal(library.Id, services.GetProperty("documents").GetProperty("librariesCreated")[0].GetProperty("id").GetGuid());
        Assert.Equal(comment, services.GetProperty("search").GetProperty("feedback")[0].GetProperty("comment").GetString());
        Assert.Contains(services.GetProperty("search").GetProperty("queryHistory").EnumerateArray(), q => q.GetProperty("query").GetString() == query);
        var audited = services.GetProperty("audit").GetProperty("auditRecords").EnumerateArray().ToList();
        Assert.Contains(audited, r => r.GetProperty("action").GetString() == "library.created" && r.GetProperty("actor").GetString() == subject.Subject);
        Assert.Contains(audited, r => r.GetProperty("action").GetString() == "user.created" && r.GetProperty("targetId").GetString() == subject.Id.ToString());
        var requested = await AuditTests.RecordsEventuallyAsync(tenant.Owner, "&action=privacy.export.requested", 2);
        Assert.Contains(requested, r => r.Actor == tenant.OwnerSubject && r.TargetId == export.Id.ToString());

        // Erasure: every service confirms, then nothing of the subject is left anywhere.
        var erasure = await CompletedAsync(tenant.Owner, await RequestAsync(tenant.Owner, "erasures", new { subjectId = subject.Subject }));
        Assert.All(erasure.Services, s => Assert.True(s.GetProperty("answered").GetBoolean()));
        Assert.Null(erasure.SubjectId);
        await AuditTests.RecordsEventuallyAsync(tenant.Owner, "&action=privacy.erasure.completed");

        foreach (var trace in new[] { subject.Email, marker, subject.Id.ToString(), comment, query })
        {
            Assert.Empty(await docaiche.TablesContainingAsync(trace));
        }

        var verification = await tenant.Owner.GetFromJsonAsync<Verification>("/api/v1/audit/verify", GatewayClient.Json);
        Assert.True(verification!.Verified, verification.Problem);
        var created = Assert.Single(await AuditTests.RecordsAsync(tenant.Owner, $"&action=library.created&target={library.Id}"));
        Assert.Equal("[erased]", created.Actor);
        Assert.Equal("[erased]", created.ClientAddress);
        Assert.Empty(await AuditTests.RecordsAsync(tenant.Owner, $"&actor={subject.Subject}"));
        Assert.Equal(HttpStatusCode.Gone, (await tenant.Owner.GetAsync(export.BundleUrl)).StatusCode);
        var (_, tokens, _) = await OidcTestClient.TrySignInAsync(docaiche.GatewayAddress, subject.Email, subject.Password);
        Assert.Null(tokens);
        // The tenant's documentation stays: it is not the subject's personal data.
        Assert.Single(await tenant.Owner.DocumentsAsync(library.Id, "1"));
    }
}
