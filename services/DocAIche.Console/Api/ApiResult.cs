using System.Text.Json;

namespace DocAIche.Console.Api;

/// <summary>What the API answered: the value, or the problem it reported, in words a person can act on.</summary>
public sealed record ApiResult<T>(T? Value, ApiProblem? Problem)
{
    public bool Ok => Problem is null;
}

public static class ApiResult
{
    public static ApiResult<T> Success<T>(T value) => new(value, null);

    public static ApiResult<T> Failure<T>(ApiProblem problem) => new(default, problem);
}

/// <summary>A problem-details answer (RFC 9457), or a failure to get any answer.</summary>
/// <param name="Status">The HTTP status, 0 when no answer came.</param>
/// <param name="Title">The problem's title.</param>
/// <param name="Detail">What went wrong and, often, what to do.</param>
/// <param name="Errors">Field by field, for validation problems.</param>
public sealed record ApiProblem(int Status, string Title, string? Detail, IReadOnlyDictionary<string, string[]> Errors)
{
    /// <summary>The session is over (signed out, expired or revoked): the person has to sign in again.</summary>
    public bool SessionEnded => Status == 401;

    /// <summary>What the title does not say: the detail, then each field's complaint.</summary>
    public string Explanation => string.Join(" ", new[] { Detail }
        .Concat(Errors.SelectMany(e => e.Value.Select(message => $"{e.Key}: {message}")))
        .Where(part => !string.IsNullOrWhiteSpace(part)));

    /// <summary>One line: the title, then the explanation.</summary>
    public string Message => $"{Title.TrimEnd('.')}. {Explanation}".TrimEnd();

    public static readonly ApiProblem SignedOut = new(401, "Your session has ended", "Sign in again to continue.", new Dictionary<string, string[]>());

    public static ApiProblem Unreachable(string why) =>
        new(0, "DocAIche could not be reached", $"{why} Try again in a moment.", new Dictionary<string, string[]>());

    /// <summary>Reads a problem-details body, or makes one from the status when the body is something else.</summary>
    public static ApiProblem From(int status, string? reason, string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("title", out var title))
            {
                var errors = new Dictionary<string, string[]>();
                if (root.TryGetProperty("errors", out var fields) && fields.ValueKind == JsonValueKind.Object)
                {
                    foreach (var field in fields.EnumerateObject().Where(f => f.Value.ValueKind == JsonValueKind.Array))
                    {
                        errors[field.Name] = [.. field.Value.EnumerateArray().Select(m => m.GetString() ?? "")];
                    }
                }
                return new ApiProblem(status, title.GetString() ?? reason ?? "Request failed",
                    root.TryGetProperty("detail", out var detail) ? detail.GetString() : null, errors);
            }
        }
        catch (JsonException)
        {
        }
        return new ApiProblem(status, reason ?? $"Request failed ({status})", null, new Dictionary<string, string[]>());
    }
}
