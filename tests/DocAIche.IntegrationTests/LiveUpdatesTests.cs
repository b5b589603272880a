using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text.Json;
using DocAIche.IntegrationTests.Support;

namespace DocAIche.IntegrationTests;

/// <summary>The live-updates WebSocket through the gateway, as applications and browsers use it.</summary>
[Collection(DocAIcheCollection.Name)]
public sealed class LiveUpdatesTests(DocAIcheFixture docaiche)
{
    private HttpClient Gateway => docaiche.Gateway;

    private static bool IsDocument(JsonElement message, Guid documentId) =>
        message.GetProperty("type").GetString() == "document.indexed" &&
        message.GetProperty("data").GetProperty("documentId").GetGuid() == documentId;

    [Fact]
    public async Task A_browser_authenticates_with_the_subprotocol_and_is_answered_with_the_protocol_name_only()
    {
        await using var live = await LiveClient.ConnectAsync(docaiche.GatewayAddress, docaiche.OwnerAccessToken, asBrowser: true);

        Assert.Equal("docaiche.v1", live.Socket.SubProtocol);
        await live.SendAsync(new { type = "ping" });
        Assert.Equal("pong", (await live.ReceiveAsync()).GetProperty("type").GetString());
    }

    [Fact]
    public async Task A_token_in_the_url_is_refused_even_next_to_a_valid_one()
    {
        var alone = await LiveClient.RefusalAsync(docaiche.GatewayAddress, query: $"?access_token={docaiche.OwnerAccessToken}");
        var besideHeader = await LiveClient.RefusalAsync(docaiche.GatewayAddress, docaiche.OwnerAccessToken, query: $"?access_token={docaiche.OwnerAccessToken}");

        // Refused for being in the URL (which says why), before the token is even looked at.
        Assert.Equal(HttpStatusCode.BadRequest, alone);
        Assert.Equal(HttpStatusCode.BadRequest, besideHeader);
    }

    [Fact]
    public async Task An_expired_token_is_refused()
    {
        using var forger = await RealKeyForger.LoadAsync(docaiche);
        var issuer = JsonDocument.Parse(Convert.FromBase64String(Pad(docaiche.OwnerAccessToken.Split('.')[1]))).RootElement.GetProperty("iss").GetString();
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var expired = forger.Sign(new { iss = issuer, aud = "docaiche-api", sub = "user:x", tenant = "default", role = new[] { "viewer" }, scope = "docaiche.api", iat = now - 3600, nbf = now - 3600, exp = now - 120 });

        Assert.Equal(HttpStatusCode.Unauthorized, await LiveClient.RefusalAsync(docaiche.GatewayAddress, expired));
        Assert.Equal(HttpStatusCode.Unauthorized, await LiveClient.RefusalAsync(docaiche.GatewayAddress, expired, asBrowser: true));
    }

    [Fact]
    public async Task A_tenant_receives_its_own_events_and_never_another_tenants()
    {
        await using var ownTenant = await LiveClient.ConnectAsync(docaiche.GatewayAddress, docaiche.OwnerAccessToken);
        await using var otherTenant = await LiveClient.ConnectAsync(docaiche.GatewayAddress, await docaiche.NewTenantOwnerTokenAsync());
        await ownTenant.SubscribeAsync("index");
        await otherTenant.SubscribeAsync("index");

        var document = await Gateway.StoreDocumentAsync("Tenant A's page", "Only tenant A hears of this.");

        await ownTenant.ReceiveAsync(m => IsDocument(m, document.Id));
        Assert.False(await otherTenant.ReceivesWithinAsync(TimeSpan.FromSeconds(3), m => m.GetProperty("type").GetString() is "document.indexed" or "library.changed"));
    }

    [Fact]
    public async Task Only_admins_owners_and_auditors_may_subscribe_to_alerts()
    {
        using var created = await Gateway.PostAsJsonAsync("/api/v1/api-keys", new { name = "live viewer", roles = new[] { "viewer" } });
        var viewerKey = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("key").GetString()!;
        await using var viewer = await LiveClient.ConnectAsync(docaiche.GatewayAddress, apiKey: viewerKey);
        await using var owner = await LiveClient.ConnectAsync(docaiche.GatewayAddress, docaiche.OwnerAccessToken);

        var refused = await viewer.SubscribeAsync("alerts");
        var allowed = await owner.SubscribeAsync("alerts");

        Assert.Equal("error", refused.GetProperty("type").GetString());
        Assert.Equal("forbidden", refused.GetProperty("code").GetString());
        Assert.Equal("subscribed", allowed.GetProperty("type").GetString());
        Assert.Equal("subscribed", (await viewer.SubscribeAsync("index")).GetProperty("type").GetString());
    }

    [Fact]
    public async Task A_client_that_reconnects_with_its_last_event_id_receives_what_it_missed()
    {
        string lastSeen;
        await using (var live = await LiveClient.ConnectAsync(docaiche.GatewayAddress, docaiche.OwnerAccessToken))
        {
            await live.SubscribeAsync("index");
            var first = await Gateway.StoreDocumentAsync("Seen live", "Arrives while connected.");
            lastSeen = (await live.ReceiveAsync(m => IsDocument(m, first.Id))).GetProperty("id").GetString()!;
        }

        var missed = await Gateway.StoreDocumentAsync("Missed", $"Indexed while disconnected {GatewayClient.UniqueWord("gap")}.");
        await Eventually.Async(() => Gateway.SearchAsync("disconnected"), r => r.Results.Any(h => h.DocumentId == missed.Id), TimeSpan.FromSeconds(60), "the missed document to be indexed");
        await using var again = await LiveClient.ConnectAsync(docaiche.GatewayAddress, docaiche.OwnerAccessToken);
        var subscribed = await again.SubscribeAsync("index", lastEventId: lastSeen);

        Assert.Equal("subscribed", subscribed.GetProperty("type").GetString());
        Assert.True(subscribed.GetProperty("replayed").GetInt32() >= 1);
        await again.ReceiveAsync(m => IsDocument(m, missed.Id));
    }

    [Fact]
    public async Task An_unknown_last_event_id_says_replay_is_unavailable()
    {
        await using var live = await LiveClient.ConnectAsync(docaiche.GatewayAddress, docaiche.OwnerAccessToken);

        await live.SubscribeAsync("index", lastEventId: Guid.NewGuid().ToString());

        Assert.Equal("replay-unavailable", (await live.ReceiveAsync(m => m.GetProperty("type").GetString() == "error")).GetProperty("code").GetString());
    }

    [Fact]
    public async Task An_ingestion_jobs_progress_arrives_live_to_its_subscriber()
    {
        var library = await Gateway.CreateLibraryAsync(GatewayClient.UniqueWord("live"), ["1"]);
        var source = await Gateway.CreateSourceAsync(library.Id, "1", new { kind = "upload" });
        await using var live = await LiveClient.ConnectAsync(docaiche.GatewayAddress, docaiche.OwnerAccessToken);
        await live.SubscribeAsync("jobs");

        using var form = new MultipartFormDataContent();
        using var buffer = new MemoryStream();
        using (var archive = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            using var writer = new StreamWriter(archive.CreateEntry("docs/live.md").Open());
            writer.Write("# Live\n\nWatched as it is ingested.");
        }
        form.Add(new ByteArrayContent(buffer.ToArray()), "file", "docs.zip");
        using var upload = await Gateway.PostAsync($"/api/v1/sources/{source.Id}/uploads", form);
        var jobId = (await upload.Content.ReadFromJsonAsync<Job>(GatewayClient.Json))!.Id;

        var finished = await live.ReceiveAsync(m => m.GetProperty("type").GetString() == "job.finished" &&
            m.GetProperty("data").GetProperty("jobId").GetGuid() == jobId);
        Assert.Equal("jobs", finished.GetProperty("topic").GetString());
        Assert.Equal("succeeded", finished.GetProperty("data").GetProperty("state").GetString());
        Assert.Equal(1, finished.GetProperty("data").GetProperty("documentsChanged").GetInt32());
    }

    [Fact]
    public async Task A_malformed_message_closes_that_connection_only()
    {
        await using var broken = await LiveClient.ConnectAsync(docaiche.GatewayAddress, docaiche.OwnerAccessToken);
        await using var healthy = await LiveClient.ConnectAsync(docaiche.GatewayAddress, docaiche.OwnerAccessToken);

        await broken.SendRawAsync("{not json");

        Assert.Equal(WebSocketCloseStatus.InvalidPayloadData, await broken.ClosedAsync());
        await healthy.SendAsync(new { type = "ping" });
        Assert.Equal("pong", (await healthy.ReceiveAsync()).GetProperty("type").GetString());
    }

    private static string Pad(string base64Url)
    {
        var s = base64Url.Replace('-', '+').Replace('_', '/');
        return s.PadRight(s.Length + ((4 - (s.Length % 4)) % 4), '=');
    }
}
