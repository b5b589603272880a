using System.Net.Http.Json;
using System.Text.Json;

namespace DocAIche.IntegrationTests.Support;

public sealed record StoredDocument(Guid Id, string Title, string ContentHash);

public sealed record SearchHit(Guid DocumentId, string Title, string Snippet, double Score);

public sealed record SearchResponse(string Query, List<SearchHit> Results);

public sealed record AuditRecord(long Id, string Action, string TargetType, string TargetId, string Actor, string Outcome);

public sealed record AuditRecordPage(List<AuditRecord> Items, string? NextCursor);

/// <summary>The gateway's REST API as a client program uses it.</summary>
public static class GatewayClient
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static async Task<StoredDocument> StoreDocumentAsync(this HttpClient gateway, string title, string content)
    {
        using var response = await gateway.PostAsJsonAsync("/api/v1/documents", new { title, content });
        Assert.Equal(System.Net.HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<StoredDocument>(Json))!;
    }

    public static async Task<SearchResponse> SearchAsync(this HttpClient gateway, string query, int limit = 10) =>
        (await gateway.GetFromJsonAsync<SearchResponse>($"/api/v1/search?q={Uri.EscapeDataString(query)}&limit={limit}", Json))!;

    public static async Task<List<AuditRecord>> AuditRecordsForAsync(this HttpClient gateway, Guid targetId) =>
        (await gateway.GetFromJsonAsync<AuditRecordPage>($"/api/v1/audit/records?targetId={targetId}", Json))!.Items;

    /// <summary>A word no document contains by accident, so a test finds only its own documents.</summary>
    public static string UniqueWord(string prefix) => $"{prefix}{Guid.NewGuid():N}"[..(prefix.Length + 12)];
}
