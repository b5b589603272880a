using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using DocAIche.IntegrationTests.Support;
using Npgsql;

namespace DocAIche.IntegrationTests;

public sealed record AuditRow(
    long Id, long Sequence, string ActorType, string Actor, string Action, string TargetType, string TargetId, string Outcome,
    string? ClientAddress, string? TraceId, Dictionary<string, string>? Details, string Hash);

public sealed record AuditRowPage(List<AuditRow> Items, string? NextCursor);

public sealed record Verification(bool Verified, long RecordsChecked, long? FirstSequence, long? LastSequence, long? CheckpointSequence, BrokenLinkRow? FirstBroken, string? Problem);

public sealed record BrokenLinkRow(long Id, long Sequence, string Reason);

public sealed record PrivacyRequestRow(Guid Id, string Kind, string? SubjectId, string State, List<JsonElement> Services, string? BundleUrl);

/// <summary>The audit trail: tamper evidence, the append-only role, reading and export, retention, alerts and privacy requests.</summary>
[Collection(DocAIcheCollection.Name)]
public sealed class AuditTests(DocAIcheFixture docaiche)
{
    private static readonly TimeSpan RecordTimeout = TimeSpan.FromSeconds(60);

    internal static async Task<List<AuditRow>> RecordsAsync(HttpClient client, string query = "")
    {
        var page = await client.GetFromJsonAsync<AuditRowPage>($"/api/v1/audit/records?limit=500{query}", GatewayClient.Json);
        return page!.Items;
    }

    internal static Task<List<AuditRow>> RecordsEventuallyAsync(HttpClient client, string query, int atLeast = 1, string? what = null) =>
        Eventually.Async(() => RecordsAsync(client, query), r => r.Count >= atLeast, RecordTimeout, what ?? $"audit records {query}");

    private static async Task<Verification> VerifyAsync(HttpClient client) =>
        (await client.GetFromJsonAsync<Verification>("/api/v1/audit/verify", GatewayClient.Json))!;

    [Fact]
    public async Task Records_say_who_did_what_from_where_and_the_chain_verifies()
    {
        using var tenant = await TenantSession.StartAsync(docaiche);
        var library = await tenant.Owner.CreateLibraryAsync(GatewayClient.UniqueWord("audited"), ["1"]);

        var record = Assert.Single(await RecordsEventuallyAsync(tenant.Owner, $"&action=library.created&target={library.Id}"));
        Assert.Equal(tenant.OwnerSubject, record.Actor);
        Assert.Equal("user", record.ActorType);
        Assert.Equal("success", record.Outcome);
        Assert.Equal("127.0.0.1", record.ClientAddress);
        Assert.Matches("^[0-9a-f]{32}$", record.TraceId!);
        Assert.Equal(library.Name, record.Details!["name"]);

        var verification = await VerifyAsync(tenant.Owner);
        Assert.True(verification.Verified, verification.Problem);
        Assert.True(verification.RecordsChecked >= 2);
    }

    [Fact]
    public async Task A_record_changed_in_the_database_is_the_one_verification_reports()
    {
        using var tenant = await TenantSession.StartAsync(docaiche);
        for (var i = 0; i < 3; i++)
        {
            await tenant.Owner.CreateLibraryAsync(GatewayClient.UniqueWord("chain"), ["1"]);
        }
        var records = await RecordsEventuallyAsync(tenant.Owner, "&action=library.created", 3);
        Assert.True((await VerifyAsync(tenant.Owner)).Verified);
        var victim = records[1];

        // An attacker with superuser access, who can even switch the append-only trigger off.
        await using (var database = await docaiche.OpenAsync("auditdb"))
        {
            await using var transaction = await database.BeginTransactionAsync();
            await database.ExecuteAsync("SET LOCAL session_replication_role = replica");
            Assert.Equal(1, await database.ExecuteAsync(
                """UPDATE audit_records SET "Action" = 'library.updated' WHERE "Id" = @id""", ("id", victim.Id)));
            await transaction.CommitAsync();
        }

        var verification = await VerifyAsync(tenant.Owner);
        Assert.False(verification.Verified);
        Assert.Equal(victim.Id, verification.FirstBroken!.Id);
        Assert.Equal(victim.Sequence, verification.FirstBroken.Sequence);
        Assert.Contains("changed", verification.FirstBroken.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_record_removed_from_the_middle_or_the_end_is_found()
    {
        using var tenant = await TenantSession.StartAsync(docaiche);
        for (var i = 0; i < 3; i++)
        {
            await tenant.Owner.CreateLibraryAsync(GatewayClient.UniqueWord("gap"), ["1"]);
        }
        var records = await RecordsEventuallyAsync(tenant.Owner, "&action=library.created", 3);
        var last = (await RecordsAsync(tenant.Owner))[^1];

        await using (var database = await docaiche.OpenAsync("auditdb"))
        {
            await using var transaction = await database.BeginTransactionAsync();
            await database.ExecuteAsync("SET LOCAL session_replication_role = replica");
            Assert.Equal(1, await database.ExecuteAsync("""DELETE FROM audit_records WHERE "Id" = @id""", ("id", last.Id)));
            await transaction.CommitAsync();
        }
        var truncated = await VerifyAsync(tenant.Owner);
        Assert.False(truncated.Verified);
        Assert.Contains("removed from the end", truncated.Problem, StringComparison.Ordinal);

        await using (var database = await docaiche.OpenAsync("auditdb"))
        {
            await using var transaction = await database.BeginTransactionAsync();
            await database.ExecuteAsync("SET LOCAL session_replication_role = replica");
            Assert.Equal(1, await database.ExecuteAsync("""DELETE FROM audit_records WHERE "Id" = @id""", ("id", records[0].Id)));
            await transaction.CommitAsync();
        }
        var gap = await VerifyAsync(tenant.Owner);
        Assert.False(gap.Verified);
        Assert.True(gap.FirstBroken is not null, $"Expected a broken link after record {records[0].Sequence}; got: {gap}");
        Assert.Equal(records[0].Sequence + 1, gap.FirstBroken.Sequence);
        Assert.Contains("missing", gap.FirstBroken.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_runtime_role_can_append_and_read_but_never_change_or_delete_records()
    {
        await docaiche.Gateway.CreateLibraryAsync(GatewayClient.UniqueWord("role"), ["1"]);
        await RecordsEventuallyAsync(docaiche.Gateway, "&action=library.created");
        await using var database = await docaiche.OpenAsync("auditdb");

        foreach (var statement in new[]
        {
            """UPDATE audit_records SET "Outcome" = 'failure'""",
            "DELETE FROM audit_records",
            "TRUNCATE audit_records",
            """UPDATE audit_checkpoints SET "Signature" = ''""",
            "DELETE FROM audit_checkpoints",
        })
        {
            await using var transaction = await database.BeginTransactionAsync();
            await database.ExecuteAsync("SET LOCAL ROLE docaiche_audit_writer");
            var refused = await Assert.ThrowsAsync<PostgresException>(() => database.ExecuteAsync(statement));
            Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, refused.SqlState);
            await transaction.RollbackAsync();
        }

        await using (var transaction = await database.BeginTransactionAsync())
        {
            await database.ExecuteAsync("SET LOCAL ROLE docaiche_audit_writer");
            Assert.True(await database.ScalarAsync<long>("SELECT count(*) FROM audit_records") > 0);
            await transaction.RollbackAsync();
        }

        // Even the owner cannot edit a record in place without first switching the guard off.
        var ownerRefused = await Assert.ThrowsAsync<PostgresException>(() => database.ExecuteAsync("""UPDATE audit_records SET "Outcome" = 'failure'"""));
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, ownerRefused.SqlState);
    }

    [Fact]
    public async Task Auditors_read_filter_page_and_export_records_and_viewers_may_not()
    {
        using var tenant = await TenantSession.StartAsync(docaiche);
        var auditor = await tenant.CreateUserAsync("Ada Auditor", "auditor");
        var viewer = await tenant.CreateUserAsync("Vic Viewer", "viewer");
        var names = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            names.Add((await tenant.Owner.CreateLibraryAsync(GatewayClient.UniqueWord("page"), ["1"])).Name);
        }
        var libraries = await RecordsEventuallyAsync(auditor.Client, "&action=library.created", 5);

        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.Client.GetAsync("/api/v1/audit/records")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.Client.GetAsync("/api/v1/audit/verify")).StatusCode);

        // Filters: actor, action prefix, outcome, target type, time.
        Assert.All(await RecordsAsync(auditor.Client, $"&actor={tenant.OwnerSubject}"), r => Assert.Equal(tenant.OwnerSubject, r.Actor));
        // The owner's (created with the tenant) and the two users'.
        Assert.Equal(3, (await RecordsAsync(auditor.Client, "&action=user.created")).Count);
        Assert.Equal(5, (await RecordsAsync(auditor.Client, "&action=library.*&targetType=library&outcome=success")).Count);
        Assert.Empty(await RecordsAsync(auditor.Client, "&action=library.created&outcome=failure"));
        Assert.Empty(await RecordsAsync(auditor.Client, $"&action=library.created&from={Uri.EscapeDataString(DateTimeOffset.UtcNow.AddMinutes(5).ToString("O"))}"));

        // Pages follow each other without overlap.
        var seen = new List<long>();
        string? cursor = null;
        do
        {
            var page = (await auditor.Client.GetFromJsonAsync<AuditRowPage>(
                $"/api/v1/audit/records?action=library.created&limit=2{(cursor is null ? "" : $"&cursor={cursor}")}", GatewayClient.Json))!;
            seen.AddRange(page.Items.Select(r => r.Sequence));
            cursor = page.NextCursor;
        }
        while (cursor is not null);
        Assert.Equal(libraries.Select(r => r.Sequence), seen);

        var lines = (await auditor.Client.GetStringAsync("/api/v1/audit/records/export?format=jsonl&action=library.created"))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(5, lines.Length);
        // The export is in chain order (the order the audit service recorded them), as the list is.
        var exported = lines.Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(libraries.Select(r => r.Sequence), exported.Select(r => r.GetProperty("sequence").GetInt64()));
        Assert.Equal(names.Order(StringComparer.Ordinal), exported.Select(r => r.GetProperty("details").GetProperty("name").GetString()!).Order(StringComparer.Ordinal));

        using var csv = await auditor.Client.GetAsync("/api/v1/audit/records/export?format=csv&action=library.created");
        Assert.Equal("text/csv", csv.Content.Headers.ContentType!.MediaType);
        var rows = (await csv.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("id,sequence,occurredAt", rows[0], StringComparison.Ordinal);
        Assert.Equal(6, rows.Length);

        Assert.Equal(HttpStatusCode.BadRequest, (await auditor.Client.GetAsync("/api/v1/audit/records?limit=0")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await auditor.Client.GetAsync("/api/v1/audit/records?cursor=abc")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await auditor.Client.GetAsync("/api/v1/audit/records/export?format=xml")).StatusCode);
    }

    [Fact]
    public async Task A_tenant_never_reads_another_tenants_records()
    {
        using var first = await TenantSession.StartAsync(docaiche);
        using var second = await TenantSession.StartAsync(docaiche);
        var library = await first.Owner.CreateLibraryAsync(GatewayClient.UniqueWord("private"), ["1"]);
        await RecordsEventuallyAsync(first.Owner, $"&target={library.Id}");

        Assert.Empty(await RecordsAsync(second.Owner, $"&target={library.Id}"));
        Assert.DoesNotContain(await RecordsAsync(second.Owner), r => r.Actor == first.OwnerSubject);
        Assert.Empty(await RecordsAsync(second.Owner, $"&actor={first.OwnerSubject}"));
    }

    [Fact]
    public async Task Purging_by_retention_leaves_a_signed_checkpoint_and_the_rest_still_verifies()
    {
        using var tenant = await TenantSession.StartAsync(docaiche);
        for (var i = 0; i < 3; i++)
        {
            await tenant.Owner.CreateLibraryAsync(GatewayClient.UniqueWord("old"), ["1"]);
        }
        await RecordsEventuallyAsync(tenant.Owner, "&action=library.created", 3);
        await tenant.Owner.GetFromJsonAsync<JsonElement>($"/api/v1/search?q={GatewayClient.UniqueWord("history")}");
        await using var search = await docaiche.OpenAsync("searchdb");
        await Eventually.Async(() => search.ScalarAsync<long>("""SELECT count(*) FROM query_history WHERE "TenantId" = @t""", ("t", tenant.TenantId)),
            n => n > 0, RecordTimeout, "the search in query history");

        Assert.Equal(HttpStatusCode.BadRequest, (await tenant.Owner.PutAsJsonAsync("/api/v1/audit/retention", new { auditRecordDays = -1, queryHistoryDays = 5 })).StatusCode);
        using (var set = await tenant.Owner.PutAsJsonAsync("/api/v1/audit/retention", new { auditRecordDays = 0, queryHistoryDays = 0 }))
        {
            Assert.Equal(HttpStatusCode.OK, set.StatusCode);
        }
        await RecordsEventuallyAsync(tenant.Owner, "&action=retention.changed");
        var before = await RecordsAsync(tenant.Owner);

        using var purge = await tenant.Owner.PostAsync("/api/v1/audit/retention/purge", null);
        Assert.Equal(HttpStatusCode.OK, purge.StatusCode);
        var purged = await purge.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(purged.GetProperty("purgedRecords").GetInt64() >= before.Count);

        var verification = await VerifyAsync(tenant.Owner);
        Assert.True(verification.Verified, verification.Problem);
        Assert.Equal(purged.GetProperty("throughSequence").GetInt64(), verification.CheckpointSequence);
        var remaining = await RecordsAsync(tenant.Owner);
        Assert.DoesNotContain(remaining, r => r.Action == "library.created");
        Assert.Contains(remaining, r => r.Action == "retention.purged");

        // New records chain on from the checkpoint.
        await tenant.Owner.CreateLibraryAsync(GatewayClient.UniqueWord("new"), ["1"]);
        await RecordsEventuallyAsync(tenant.Owner, "&action=library.created");
        Assert.True((await VerifyAsync(tenant.Owner)).Verified);

        // Search applied the query-history retention too.
        await Eventually.Async(() => search.ScalarAsync<long>("""SELECT count(*) FROM query_history WHERE "TenantId" = @t""", ("t", tenant.TenantId)),
            n => n == 0, RecordTimeout, "query history purged");

        // A forged checkpoint (not signed with the deployment's key) is reported.
        await using (var database = await docaiche.OpenAsync("auditdb"))
        {
            await database.ExecuteAsync("""UPDATE audit_checkpoints SET "Signature" = repeat('0', 64) WHERE "TenantId" = @t""", ("t", tenant.TenantId));
        }
        var forged = await VerifyAsync(tenant.Owner);
        Assert.False(forged.Verified);
        Assert.Contains("not signed", forged.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Repeated_failed_sign_ins_raise_an_alert_that_admins_see_live()
    {
        using var tenant = await TenantSession.StartAsync(docaiche);
        var target = await tenant.CreateUserAsync("Tess Target", "viewer");
        var auditor = await tenant.CreateUserAsync("Al Auditor", "auditor");
        var viewer = await tenant.CreateUserAsync("Val Viewer", "viewer");
        var auditorToken = auditor.Client.DefaultRequestHeaders.Authorization!.Parameter!;
        await using var live = await LiveClient.ConnectAsync(docaiche.GatewayAddress, auditorToken);
        Assert.Equal("subscribed", (await live.SubscribeAsync("alerts")).GetProperty("type").GetString());
        await using var viewerLive = await LiveClient.ConnectAsync(docaiche.GatewayAddress, viewer.Client.DefaultRequestHeaders.Authorization!.Parameter!);
        Assert.Equal("forbidden", (await viewerLive.SubscribeAsync("alerts")).GetProperty("code").GetString());

        for (var i = 0; i < 3; i++)
        {
            var (status, tokens, _) = await OidcTestClient.TrySignInAsync(docaiche.GatewayAddress, target.Email, "not the password");
            Assert.Null(tokens);
            Assert.NotEqual(HttpStatusCode.TooManyRequests, status);
        }

        var alert = await live.ReceiveAsync(m => m.GetProperty("type").GetString() == "security.alert");
        Assert.Equal("failed-sign-ins.account", alert.GetProperty("data").GetProperty("kind").GetString());
        Assert.Equal(target.Subject, alert.GetProperty("data").GetProperty("subject").GetString());
        Assert.False(await viewerLive.ReceivesWithinAsync(TimeSpan.FromSeconds(2), m => m.GetProperty("type").GetString() == "security.alert"));

        var raised = Assert.Single(await RecordsEventuallyAsync(tenant.Owner, "&action=security.alert_raised"));
        Assert.Equal("service:audit", raised.Actor);
        Assert.Equal(target.Id.ToString(), raised.TargetId);
        Assert.Equal(3, (await RecordsAsync(tenant.Owner, $"&action=user.sign_in_failed&target={target.Id}")).Count);
    }

    [Fact]
    public async Task Logs_carry_no_emails_tokens_or_api_keys()
    {
        using var tenant = await TenantSession.StartAsync(docaiche);
        var person = await tenant.CreateUserAsync("Lou Logged", "viewer");
        await OidcTestClient.TrySignInAsync(docaiche.GatewayAddress, person.Email, "not the password");
        using var created = await person.Client.PostAsJsonAsync("/api/v1/api-keys", new { name = "logged", roles = new[] { "viewer" } });
        var apiKey = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("key").GetString()!;
        using var withKey = docaiche.CreateClient();
        withKey.DefaultRequestHeaders.Add("X-Api-Key", apiKey);
        Assert.Equal(HttpStatusCode.OK, (await withKey.GetAsync("/api/v1/libraries")).StatusCode);
        var accessToken = person.Client.DefaultRequestHeaders.Authorization!.Parameter!;
        await RecordsEventuallyAsync(tenant.Owner, $"&action=user.sign_in_failed&target={person.Id}");

        var lines = await Eventually.Async(
            () => Task.FromResult(docaiche.ResourceLogs.Of("identity", "documents", "search", "audit", "websocket", "gateway")),
            l => l.Any(line => line.Contains("Sign-in failed for [redacted]", StringComparison.Ordinal)), TimeSpan.FromSeconds(30), "the failed sign-in in identity's log");

        Assert.Contains(lines, line => line.Contains("Sign-in failed for [redacted]", StringComparison.Ordinal));
        foreach (var secret in new[] { person.Email, apiKey, accessToken[..40] })
        {
            Assert.DoesNotContain(lines, line => line.Contains(secret, StringComparison.OrdinalIgnoreCase));
        }
    }
}
