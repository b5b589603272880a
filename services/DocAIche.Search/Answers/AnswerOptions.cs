using System.ComponentModel.DataAnnotations;

namespace DocAIche.Search.Answers;

/// <summary>
/// The language model that writes answers (section <c>Answers</c>): any OpenAI-compatible chat endpoint
/// (OpenAI, Azure, Ollama's <c>/v1</c>, vLLM...). Without an endpoint, answering is off and says so.
/// </summary>
public sealed class AnswerOptions : IValidatableObject
{
    public const string Section = "Answers";

    public Uri? Endpoint { get; set; }

    public string? Model { get; set; }

    /// <summary>From a secret store or the environment, never the repository.</summary>
    public string? ApiKey { get; set; }

    /// <summary>The most search text the model is given, in estimated tokens.</summary>
    [Range(200, 100_000)]
    public int ContextTokens { get; set; } = 3000;

    /// <summary>Results the answer may draw on and cite.</summary>
    [Range(1, 20)]
    public int Sources { get; set; } = 6;

    public bool Enabled => Endpoint is not null;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Endpoint is not null && string.IsNullOrWhiteSpace(Model))
        {
            yield return new ValidationResult("Answers:Model is required with Answers:Endpoint.", [nameof(Model)]);
        }
        if (Endpoint is { IsAbsoluteUri: false })
        {
            yield return new ValidationResult("Answers:Endpoint is an absolute URL.", [nameof(Endpoint)]);
        }
    }
}
