using System.Text;
using DocAIche.Search.Searching;
using Microsoft.Extensions.AI;

namespace DocAIche.Search.Answers;

/// <summary>A source an answer cites, numbered as in the answer's text ([1], [2]...).</summary>
public sealed record Citation(int Number, Guid DocumentId, Guid ChunkId, string Library, string Version, string Title, string Breadcrumb, string? Url);

/// <summary>An answer written from search results, with the sources it may cite.</summary>
public sealed record AnswerResponse(string Question, string? Library, string? Version, string Answer, IReadOnlyList<Citation> Citations, string Model);

/// <summary>
/// Writes an answer from the top search results only, numbered so the model cites them; when the
/// results do not hold the answer, the model is told to say so rather than invent one.
/// </summary>
public sealed class AnswerWriter(IChatClient chat)
{
    public const string Instructions =
        "You answer questions about software documentation using ONLY the numbered sources given. " +
        "Cite every claim with the source numbers in square brackets, like [1] or [2][3]. " +
        "If the sources do not contain the answer, say that the documentation found does not answer it; never guess. " +
        "Keep code exactly as the sources show it.";

    public async Task<AnswerResponse> AnswerAsync(string question, SearchResponse search, string modelName, CancellationToken cancellationToken)
    {
        var citations = search.Results
            .Select((r, i) => new Citation(i + 1, r.DocumentId, r.ChunkId, r.Library, r.Version, r.Title, r.Breadcrumb, r.Url))
            .ToList();
        if (citations.Count == 0)
        {
            return new AnswerResponse(question, search.Library, search.Version,
                "No documentation matched the question, so there is nothing to answer from.", [], modelName);
        }

        var sources = new StringBuilder();
        foreach (var (result, citation) in search.Results.Zip(citations))
        {
            sources.Append('[').Append(citation.Number).Append("] ").Append(result.Library).Append(' ').Append(result.Version)
                .Append(" - ").AppendLine(result.Breadcrumb).AppendLine(result.Content).AppendLine();
        }
        var messages = new List<ChatMessage>
        {
            new(ChatRole.System, Instructions),
            new(ChatRole.User, $"Sources:\n\n{sources}\nQuestion: {question}"),
        };
        var response = await chat.GetResponseAsync(messages, new ChatOptions { Temperature = 0 }, cancellationToken);
        return new AnswerResponse(question, search.Library, search.Version, response.Text, citations, response.ModelId ?? modelName);
    }
}
