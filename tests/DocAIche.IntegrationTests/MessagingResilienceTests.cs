using System.Text.Json;
using System.Net.Http.Json;
using DocAIche.IntegrationTests.Support;

namespace DocAIche.IntegrationTests;

/// <summary>Accepted writes survive the broker going away: the outbox holds them until it returns.</summary>
[Collection(DocAIcheCollection.Name)]
public sealed class MessagingResilienceTests(DocAIcheFixture docaiche)
{
    private const string Broker = "rabbitmq";
    private static readonly TimeSpan BrokerTimeout = TimeSpan.FromMinutes(2);

    /// <summary>
    /// Waits until every service's own /health says Healthy again, its bus included (a bus that has
    /// not reconnected yet is only Degraded, which HTTP still answers with 200): the tests after this
    /// one must not publish into a websocket queue that is still being declared again.
    /// </summary>
    private async Task EveryBusReconnectedAsync()
    {
        using var http = new HttpClient();
        foreach (var service in new[] { "identity", "documents", "search", "audit", "websocket" })
        {
            var health = new Uri(docaiche.App.GetEndpoint(service, "http"), "/health");
            await Eventually.Async(async () =>
            {
                try
                {
                    using var answer = await http.GetAsync(health);
                    return (await answer.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString();
                }
                catch (HttpRequestException)
                {
                    return null;
                }
            }, status => status == "Healthy", BrokerTimeout, $"{service} to be healthy after the broker returned");
        }
    }

    [Fact]
    public async Task Documents_accepted_while_RabbitMQ_is_down_reach_search_and_audit_exactly_once_after_it_returns()
    {
        var app = docaiche.App;
        var word = GatewayClient.UniqueWord("outage");
        using var timeout = new CancellationTokenSource(BrokerTimeout);

        await app.ResourceCommands.ExecuteCommandAsync(Broker, KnownResourceCommands.StopCommand, timeout.Token);
        List<StoredDocument> accepted;
        try
        {
            await app.ResourceNotifications.WaitForResourceAsync(Broker, [KnownResourceStates.Exited, KnownResourceStates.Finished], timeout.Token);

            accepted = [];
            for (var i = 0; i < 5; i++)
            {
                accepted.Add(await docaiche.Gateway.StoreDocumentAsync($"Written during the outage {i}", $"Document {i} about the {word}."));
            }

            // Nothing can have reached search while the broker is away.
            Assert.Empty((await docaiche.Gateway.SearchAsync(word)).Results);
        }
        finally
        {
            // Even when the test fails, the broker is back before the next test starts.
            await app.ResourceCommands.ExecuteCommandAsync(Broker, KnownResourceCommands.StartCommand, CancellationToken.None);
            await app.ResourceNotifications.WaitForResourceHealthyAsync(Broker, CancellationToken.None);
            await EveryBusReconnectedAsync();
        }

        var found = await Eventually.Async(
            () => docaiche.Gateway.SearchAsync(word, limit: 50),
            r => r.Results.Count >= accepted.Count,
            BrokerTimeout,
            "every document written during the outage to be searchable");
        Assert.Equal(accepted.Select(d => d.Id).Order(), found.Results.Select(h => h.DocumentId).Order());

        // Each document was stored in a library of its own; the library's creation is the audited action.
        foreach (var document in accepted)
        {
            var records = await Eventually.Async(
                () => docaiche.Gateway.AuditRecordsForAsync(document.LibraryId), r => r.Count > 0, BrokerTimeout, $"the audit record of {document.Id}");
            Assert.Single(records);
        }
        // Anything delivered twice would have shown up by now.
        await Task.Delay(TimeSpan.FromSeconds(3));
        foreach (var document in accepted)
        {
            Assert.Single(await docaiche.Gateway.AuditRecordsForAsync(document.LibraryId));
        }
        Assert.Equal(accepted.Count, (await docaiche.Gateway.SearchAsync(word, limit: 50)).Results.Count);
    }
}
