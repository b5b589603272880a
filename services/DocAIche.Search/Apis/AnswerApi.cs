using DocAIche.ServiceDefaults.Auditing;
using DocAIche.Search.Answers;
using DocAIche.Search.History;
using DocAIche.Search.Model;
using DocAIche.Search.Searching;
using DocAIche.ServiceDefaults.Authentication;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace DocAIche.Search.Apis;

/// <summary>A question to answer from the documentation.</summary>
/// <param name="Question">Up to 500 characters.</param>
/// <param name="Library">A library's name or id; omitted: every library the caller can see.</param>
/// <param name="Version">The library's version; omitted: its default version.</param>
public sealed record AnswerRequest(string? Question, string? Library = null, string? Version = null);

public static class AnswerApi
{
    public static IEndpointRouteBuilder MapAnswerApi(this IEndpointRouteBuilder app)
    {
        var answers = app.MapGroup("/api/v1/answer").WithTags("Answers").RequireAuthorization(DocAIchePolicies.Read);

        answers.MapPost("/", AnswerAsync)
            .ReadsOnly()
            .WithName("Answer")
            .WithSummary("Answer a question from the top search results, with citations")
            .WithDescription("Needs a language model (Answers:Endpoint, OpenAI-compatible or Ollama). Without one the answer is 501 with a problem that says so: never an invented answer.");

        return app;
    }

    internal static async Task<Results<Ok<AnswerResponse>, ValidationProblem, ProblemHttpResult>> AnswerAsync(
        HttpContext http, CachedSearch searches, IOptions<AnswerOptions> options, AnswerRequest request, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var errors = SearchApi.Validate(new SearchRequest(request.Question, request.Library, request.Version, settings.Sources, settings.ContextTokens), out var query);
        if (errors.Remove("query", out var questionErrors))
        {
            errors["question"] = [.. questionErrors.Select(e => e.Replace("query", "question", StringComparison.Ordinal))];
        }
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }
        var writer = http.RequestServices.GetService<AnswerWriter>();
        if (!settings.Enabled || writer is null)
        {
            return TypedResults.Problem(
                title: "Answering is not configured",
                detail: "No language model is configured for this DocAIche (Answers:Endpoint and Answers:Model), so it does not answer questions. Search still works: GET /api/v1/search.",
                statusCode: StatusCodes.Status501NotImplemented);
        }

        if (await http.RequestServices.GetRequiredService<SearchQuota>().SpendAsync(http.User.GetTenantId(), cancellationToken) is { } spent)
        {
            return SearchApi.QuotaProblem(http, spent);
        }
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var outcome = await searches.SearchAsync(http.User.GetTenantId(), query, cancellationToken);
        if (outcome is not SearchOutcome.Found found)
        {
            return SearchApi.Problem(outcome);
        }
        try
        {
            var answer = await writer.AnswerAsync(query.Text, found.Response, settings.Model!, cancellationToken);
            http.RequestServices.GetRequiredService<QueryHistory>().Record(
                http.User, found.Response, "api", System.Diagnostics.Stopwatch.GetElapsedTime(started), MeteredOperations.Answer);
            return TypedResults.Ok(answer);
        }
        catch (Exception exception) when (exception is HttpRequestException or System.ClientModel.ClientResultException or TaskCanceledException
                                          && !cancellationToken.IsCancellationRequested)
        {
            return TypedResults.Problem(title: "The language model did not answer",
                detail: "The configured language model could not be reached or refused the request; try again later.",
                statusCode: StatusCodes.Status502BadGateway);
        }
    }
}
