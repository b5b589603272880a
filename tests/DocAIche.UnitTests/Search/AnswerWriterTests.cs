using DocAIche.Search.Answers;
using DocAIche.Search.Searching;
using Microsoft.Extensions.AI;

namespace DocAIche.UnitTests.Search;

public class AnswerWriterTests
{
    /// <summary>A language model that answers with a fixed text and remembers what it was asked.</summary>
    private sealed class RecordingChatClient(string answer) : IChatClient
    {
        public List<ChatMessage> Received { get; } = [];

        public int Calls { get; private set; }

        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            Calls++;
            Received.AddRange(messages);
            return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, answer)) { ModelId = "test-model" });
        }

        public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }

    private static SearchResult Result(string title, string content) =>
        new(Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), "wharfline", "1.0", title, $"{title} > Usage", $"https://docs.test/{title}", content, content, 1, 10, false);

    [Fact]
    public async Task The_model_sees_only_numbered_sources_and_the_answer_lists_them_as_citations()
    {
        var chat = new RecordingChatClient("Use retry_policy [1].");
        var search = new SearchResponse("how to retry", "wharfline", "1.0", ["fulltext"],
            [Result("Retries", "Set client.retry_policy to retry."), Result("Timeouts", "Set timeout=5.")], 20, null);

        var answer = await new AnswerWriter(chat).AnswerAsync("how to retry", search, "configured", CancellationToken.None);

        Assert.Equal("Use retry_policy [1].", answer.Answer);
        Assert.Equal("test-model", answer.Model);
        Assert.Equal("1.0", answer.Version);
        Assert.Equal([1, 2], answer.Citations.Select(c => c.Number));
        Assert.Equal("Retries", answer.Citations[0].Title);
        var prompt = chat.Received.Single(m => m.Role == ChatRole.User).Text;
        Assert.Contains("[1] wharfline 1.0 - Retries > Usage", prompt, StringComparison.Ordinal);
        Assert.Contains("[2] wharfline 1.0 - Timeouts > Usage", prompt, StringComparison.Ordinal);
        Assert.Contains("Question: how to retry", prompt, StringComparison.Ordinal);
        Assert.Contains("never guess", chat.Received.Single(m => m.Role == ChatRole.System).Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_results_the_model_is_not_asked_and_the_answer_says_so()
    {
        var chat = new RecordingChatClient("invented");
        var search = new SearchResponse("quantum", null, null, ["fulltext"], [], 0, null);

        var answer = await new AnswerWriter(chat).AnswerAsync("quantum", search, "configured", CancellationToken.None);

        Assert.Equal(0, chat.Calls);
        Assert.Empty(answer.Citations);
        Assert.Contains("nothing to answer from", answer.Answer, StringComparison.Ordinal);
    }
}
