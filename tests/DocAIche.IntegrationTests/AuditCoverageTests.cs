using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using DocAIche.IntegrationTests.Support;

namespace DocAIche.IntegrationTests;

/// <summary>
/// Every state-changing endpoint of every service, as its OpenAPI document lists it, leaves an audit
/// record when called. A new endpoint fails this test until it is audited and added here.
/// </summary>
[Collection(DocAIcheCollection.Name)]
public sealed class AuditCoverageTests(DocAIcheFixture docaiche) : IAsyncLifetime
{
    private static readonly string[] Services = ["identity", "documents", "search", "audit", "websocket"];
    private LoopbackWebsite site = null!;

    /// <summary>A throwaway password for a user that lives only in this test's temporary database.</summary>
    private static string NewPassword() => Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(18));

    public async Task InitializeAsync() => site = await LoopbackWebsite.StartAsync();

    public async Task DisposeAsync() => await site.DisposeAsync();

    /// <summary>"METHOD /path" of every operation that may change state (a POST marked reads-only, a search with a body, does not).</summary>
    private async Task<SortedSet<string>> StateChangingOperationsAsync()
    {
        var operations = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var service in Services)
        {
            using var document = JsonDocument.Parse(await docaiche.Anonymous.GetStringAsync($"/openapi/{service}.json"));
            if (!document.RootElement.TryGetProperty("paths", out var paths))
            {
                continue;
            }
            foreach (var path in paths.EnumerateObject())
            {
                foreach (var operation in path.Value.EnumerateObject().Where(o => o.Name is "post" or "put" or "patch" or "delete"))
                {
                    if (!operation.Value.TryGetProperty("x-docaiche-reads-only", out var readsOnly) || !readsOnly.GetBoolean())
                    {
                        operations.Add($"{operation.Name.ToUpperInvariant()} {path.Name}");
                    }
                }
            }
        }
        return operations;
    }

    [Fact]
    public async Task Every_state_changing_endpoint_leaves_an_audit_record()
    {
        using var tenant = await TenantSession.StartAsync(docaiche);
        var owner = tenant.Owner;
        var called = new Dictionary<string, (string Action, string Target)>();

        async Task<JsonElement> Call(string operation, Func<Task<HttpResponseMessage>> send, string action, Func<JsonElement, string> target)
        {
            using var response = await send();
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.IsSuccessStatusCode, $"{operation}: {(int)response.StatusCode} {body}");
            var json = body.Length == 0 ? default : JsonDocument.Parse(body).RootElement.Clone();
            called[operation] = (action, target(json));
            return json;
        }

        // Identity.
        var userId = (await Call("POST /api/v1/users", () => owner.PostAsJsonAsync("/api/v1/users", new
        {
            email = $"{GatewayClient.UniqueWord("covered")}@{tenant.TenantId}.docaiche.local", displayName = "Covered", password = NewPassword(), roles = new[] { "viewer" },
        }), "user.created", j => j.GetProperty("id").GetString()!)).GetProperty("id").GetString()!;
        await Call("PUT /api/v1/users/{id}/roles", () => owner.PutAsJsonAsync($"/api/v1/users/{userId}/roles", new { roles = new[] { "editor" } }), "user.roles_changed", _ => userId);
        await Call("POST /api/v1/users/{id}/disable", () => owner.PostAsync($"/api/v1/users/{userId}/disable", null), "user.disabled", _ => userId);
        await Call("POST /api/v1/users/{id}/enable", () => owner.PostAsync($"/api/v1/users/{userId}/enable", null), "user.enabled", _ => userId);
        var keyId = (await Call("POST /api/v1/api-keys", () => owner.PostAsJsonAsync("/api/v1/api-keys", new { name = "covered", roles = new[] { "viewer" } }),
            "api_key.created", j => j.GetProperty("id").GetString()!)).GetProperty("id").GetString()!;
        await Call("DELETE /api/v1/api-keys/{id}", () => owner.DeleteAsync($"/api/v1/api-keys/{keyId}"), "api_key.revoked", _ => keyId);
        var clientId = (await Call("POST /api/v1/clients", () => owner.PostAsJsonAsync("/api/v1/clients", new { displayName = "covered", roles = new[] { "viewer" } }),
            "client.created", j => j.GetProperty("clientId").GetString()!)).GetProperty("clientId").GetString()!;
        await Call("DELETE /api/v1/clients/{clientId}", () => owner.DeleteAsync($"/api/v1/clients/{clientId}"), "client.deleted", _ => clientId);

        // Documents.
        var library = await Call("POST /api/v1/libraries", () => owner.PostAsJsonAsync("/api/v1/libraries", new { name = GatewayClient.UniqueWord("covered"), versions = new[] { "1" } }),
            "library.created", j => j.GetProperty("id").GetString()!);
        var libraryId = library.GetProperty("id").GetString()!;
        await Call("PATCH /api/v1/libraries/{id}", () => owner.PatchAsJsonAsync($"/api/v1/libraries/{libraryId}", new { description = "Covered." }), "library.updated", _ => libraryId);
        await Call("POST /api/v1/libraries/{id}/versions", () => owner.PostAsJsonAsync($"/api/v1/libraries/{libraryId}/versions", new { name = "2" }), "library.version_added", _ => libraryId);
        await Call("DELETE /api/v1/libraries/{id}/versions/{version}", () => owner.DeleteAsync($"/api/v1/libraries/{libraryId}/versions/2"), "library.version_deleted", _ => libraryId);
        var upload = (await Call("POST /api/v1/libraries/{libraryId}/versions/{version}/sources",
            () => owner.PostAsJsonAsync($"/api/v1/libraries/{libraryId}/versions/1/sources", new { kind = "upload" }),
            "source.created", j => j.GetProperty("id").GetString()!)).GetProperty("id").GetString()!;
        var document = await Call("POST /api/v1/sources/{id}/documents",
            () => owner.PostAsJsonAsync($"/api/v1/sources/{upload}/documents", new { path = "covered.md", content = "# Covered\n\nEvery endpoint is audited." }),
            "document.created", j => j.GetProperty("id").GetString()!);
        await Call("POST /api/v1/sources/{id}/uploads", () =>
        {
            var form = new MultipartFormDataContent();
            var file = new ByteArrayContent("# Uploaded\n\nText."u8.ToArray());
            file.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("text/markdown");
            form.Add(file, "file", "uploaded.md");
            return owner.PostAsync($"/api/v1/sources/{upload}/uploads", form);
        }, "source.uploaded", _ => upload);

        // A website whose one linked page fails: a job to refresh and then retry.
        var root = site.Address.ToString().TrimEnd('/');
        site.Set("/covered/index.html", new WebPage("""<html><body><main><h1>Index</h1><a href="/covered/flaky.html">Flaky</a></main></body></html>"""));
        site.Set("/covered/flaky.html", new WebPage("busy", "text/plain", Status: 503));
        var website = (await Call("PATCH /api/v1/sources/{id}", async () =>
        {
            var created = await owner.CreateSourceAsync(Guid.Parse(libraryId), "1", new
            {
                kind = "website",
                website = new { startUrls = new[] { $"{root}/covered/index.html" }, delayMilliseconds = 0 },
            });
            return await owner.PatchAsJsonAsync($"/api/v1/sources/{created.Id}", new { schedule = "0 3 * * *" });
        }, "source.updated", j => j.GetProperty("id").GetString()!)).GetProperty("id").GetString()!;
        var refreshed = await Call("POST /api/v1/sources/{id}/refresh", () => owner.PostAsync($"/api/v1/sources/{website}/refresh", null),
            "source.refresh_requested", _ => website);
        var finished = await owner.SucceededJobAsync(refreshed.GetProperty("id").GetGuid());
        Assert.Equal(1, finished.Failed);
        await Call("POST /api/v1/jobs/{id}/retry", () => owner.PostAsync($"/api/v1/jobs/{finished.Id}/retry", null), "ingestion.job.retried", _ => finished.Id.ToString());

        // A slow crawl to cancel.
        var links = string.Join("", Enumerable.Range(0, 10).Select(i => $"<a href=\"/covered-slow/p{i}.html\">{i}</a>"));
        site.Set("/covered-slow/index.html", new WebPage($"<html><body><main><h1>Slow</h1>{links}</main></body></html>"));
        for (var i = 0; i < 10; i++)
        {
            site.Set($"/covered-slow/p{i}.html", new WebPage($"<html><body><main><h1>Page {i}</h1><p>Text.</p></main></body></html>"));
        }
        var slow = await owner.CreateSourceAsync(Guid.Parse(libraryId), "1", new
        {
            kind = "website",
            website = new { startUrls = new[] { $"{root}/covered-slow/index.html" }, delayMilliseconds = 1000, concurrency = 1 },
        });
        var slowJob = await owner.RefreshAsync(slow.Id);
        await Call("POST /api/v1/jobs/{id}/cancel", () => owner.PostAsync($"/api/v1/jobs/{slowJob.Id}/cancel", null), "ingestion.job.cancel*", _ => slowJob.Id.ToString());
        await owner.FinishedJobAsync(slowJob.Id);
        await Call("DELETE /api/v1/sources/{id}", () => owner.DeleteAsync($"/api/v1/sources/{slow.Id}"), "source.deleted", _ => slow.Id.ToString());

        // Search.
        var documentId = document.GetProperty("id").GetGuid();
        await Eventually.Async(async () =>
        {
            using var probe = await owner.PostAsJsonAsync("/api/v1/feedback", new { documentId, kind = "opened" });
            return probe.StatusCode;
        }, s => s == HttpStatusCode.Created, TimeSpan.FromSeconds(60), "the page to be searchable");
        await Call("POST /api/v1/feedback", () => owner.PostAsJsonAsync("/api/v1/feedback", new { documentId, kind = "helpful" }),
            "feedback.given", j => j.GetProperty("feedbackId").GetString()!);

        // Audit and privacy.
        await Call("PUT /api/v1/audit/retention", () => owner.PutAsJsonAsync("/api/v1/audit/retention", new { auditRecordDays = 365, queryHistoryDays = 90 }),
            "retention.changed", _ => tenant.TenantId);
        await Call("POST /api/v1/audit/retention/purge", () => owner.PostAsync("/api/v1/audit/retention/purge", null), "retention.purged", _ => tenant.TenantId);
        await Call("POST /api/v1/privacy/exports", () => owner.PostAsJsonAsync("/api/v1/privacy/exports", new { }), "privacy.export.requested",
            j => j.GetProperty("id").GetString()!);
        var erased = await tenant.CreateUserAsync("Erased", "viewer");
        await Call("POST /api/v1/privacy/erasures", () => owner.PostAsJsonAsync("/api/v1/privacy/erasures", new { subjectId = erased.Subject }), "privacy.erasure.requested",
            j => j.GetProperty("id").GetString()!);

        // Single sign-on and provisioning.
        await using (var provider = await TestIdentityProvider.StartAsync())
        {
            await Call("PUT /api/v1/sso/provider", () => owner.PutAsJsonAsync("/api/v1/sso/provider", new
            {
                displayName = "Covered", authority = provider.Authority, clientId = provider.ClientId, clientSecret = provider.ClientSecret,
                groupRoles = new[] { new { group = "readers", roles = new[] { "viewer" } } }, domains = new[] { $"covered-{tenant.TenantId}.example" },
            }), "sso.provider_set", _ => tenant.TenantId);
            await Call("POST /api/v1/sso/scim-token", () => owner.PostAsync("/api/v1/sso/scim-token", null), "sso.scim_token_created", _ => tenant.TenantId);
            await Call("DELETE /api/v1/sso/scim-token", () => owner.DeleteAsync("/api/v1/sso/scim-token"), "sso.scim_token_revoked", _ => tenant.TenantId);
            await Call("DELETE /api/v1/sso/provider", () => owner.DeleteAsync("/api/v1/sso/provider"), "sso.provider_deleted", _ => tenant.TenantId);
        }

        // Two-step sign-in: a person enrols, confirms and turns it off; an admin resets it; the tenant's policy.
        var twoStep = await tenant.CreateUserAsync("Two Step", "viewer");
        var secret = (await Call("POST /api/v1/users/me/mfa", () => twoStep.Client.PostAsync("/api/v1/users/me/mfa", null), "user.mfa_enrolment_started",
            _ => twoStep.Id.ToString())).GetProperty("secret").GetString()!;
        var authenticator = new OtpNet.Totp(OtpNet.Base32Encoding.ToBytes(secret));
        await Call("POST /api/v1/users/me/mfa/confirm", () => twoStep.Client.PostAsJsonAsync("/api/v1/users/me/mfa/confirm", new { code = authenticator.ComputeTotp() }),
            "user.mfa_enabled", _ => twoStep.Id.ToString());
        await Call("POST /api/v1/users/me/mfa/disable", () => twoStep.Client.PostAsJsonAsync("/api/v1/users/me/mfa/disable", new { code = authenticator.ComputeTotp(DateTime.UtcNow.AddSeconds(30)) }),
            "user.mfa_disabled", _ => twoStep.Id.ToString());
        await Call("DELETE /api/v1/users/{id}/mfa", () => owner.DeleteAsync($"/api/v1/users/{twoStep.Id}/mfa"), "user.mfa_reset", _ => twoStep.Id.ToString());
        await Call("PUT /api/v1/users/mfa-policy", () => owner.PutAsJsonAsync("/api/v1/users/mfa-policy", new { required = false }), "tenant.mfa_policy_set", _ => tenant.TenantId);

        // Deletions last: what they delete was needed above.
        await Call("DELETE /api/v1/users/{id}", async () =>
        {
            using var another = await owner.PostAsJsonAsync("/api/v1/users", new
            {
                email = $"{GatewayClient.UniqueWord("gone")}@{tenant.TenantId}.docaiche.local", displayName = "Gone", password = NewPassword(), roles = new[] { "viewer" },
            });
            var id = (await another.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();
            called["DELETE /api/v1/users/{id}"] = ("user.deleted", id!);
            return await owner.DeleteAsync($"/api/v1/users/{id}");
        }, "user.deleted", _ => called["DELETE /api/v1/users/{id}"].Target);
        var doomed = await owner.CreateLibraryAsync(GatewayClient.UniqueWord("doomed"), ["1"]);
        await Call("DELETE /api/v1/libraries/{id}", () => owner.DeleteAsync($"/api/v1/libraries/{doomed.Id}"), "library.deleted", _ => doomed.Id.ToString());

        // Operators create tenants; the record belongs to the new tenant, read by its owner.
        var newTenant = GatewayClient.UniqueWord("covered").ToLowerInvariant();
        var ownerEmail = $"owner@{newTenant}.docaiche.local";
        var ownerPassword = NewPassword();
        await Call("POST /api/v1/tenants", () => docaiche.Gateway.PostAsJsonAsync("/api/v1/tenants",
            new { id = newTenant, name = "Covered", ownerEmail, ownerPassword }), "tenant.created", _ => newTenant);
        var newOwner = docaiche.CreateClient((await OidcTestClient.SignInAsync(docaiche.GatewayAddress, ownerEmail, ownerPassword)).AccessToken);

        // Operators set a tenant's quotas; the record belongs to that tenant (all null: no limit, nothing else changes).
        await Call("PUT /api/v1/tenants/{id}/quotas", () => docaiche.Gateway.PutAsJsonAsync($"/api/v1/tenants/{tenant.TenantId}/quotas", new { }),
            "tenant.quotas_changed", _ => tenant.TenantId);

        // Every listed operation was called, and nothing was called that is not listed.
        Assert.Equal(await StateChangingOperationsAsync(), new SortedSet<string>(called.Keys, StringComparer.Ordinal));

        foreach (var (operation, (action, target)) in called)
        {
            var reader = operation == "POST /api/v1/tenants" ? newOwner : owner;
            await AuditTests.RecordsEventuallyAsync(reader, $"&action={Uri.EscapeDataString(action)}&target={Uri.EscapeDataString(target)}", 1,
                $"an audit record '{action}' on {target} for {operation}");
        }
    }
}
