using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Claims;
using System.Text.Json;
using DocAIche.Console.Session;
using DocAIche.ServiceDefaults.Health;

namespace DocAIche.Console.Api;

/// <summary>
/// DocAIche's public API as the signed-in person: the same endpoints every client uses, through the
/// gateway, with the person's own token. Writes carry an Idempotency-Key, so a retry never does one twice.
/// </summary>
public sealed class DocAIcheApi(HttpClient http, ConsoleTokens tokens)
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public Task<ApiResult<T>> GetAsync<T>(string path, CancellationToken cancellationToken = default) =>
        SendAsync<T>(HttpMethod.Get, path, null, cancellationToken);

    public Task<ApiResult<T>> PostAsync<T>(string path, object? body, CancellationToken cancellationToken = default) =>
        SendAsync<T>(HttpMethod.Post, path, body, cancellationToken);

    public Task<ApiResult<T>> PutAsync<T>(string path, object body, CancellationToken cancellationToken = default) =>
        SendAsync<T>(HttpMethod.Put, path, body, cancellationToken);

    public Task<ApiResult<T>> PatchAsync<T>(string path, object body, CancellationToken cancellationToken = default) =>
        SendAsync<T>(HttpMethod.Patch, path, body, cancellationToken);

    public async Task<ApiResult<bool>> DeleteAsync(string path, CancellationToken cancellationToken = default)
    {
        var result = await SendAsync<JsonElement?>(HttpMethod.Delete, path, null, cancellationToken);
        return result.Ok ? ApiResult.Success(true) : ApiResult.Failure<bool>(result.Problem!);
    }

    /// <summary>The gateway's report on every service (it answers 503, with the same report, when one is unhealthy).</summary>
    public async Task<ApiResult<HealthStatusDocument>> HealthAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            using var response = await http.GetAsync("health", cancellationToken);
            var report = await response.Content.ReadFromJsonAsync<HealthStatusDocument>(HealthReportWriter.JsonOptions, cancellationToken);
            return report is not null ? ApiResult.Success(report) : ApiResult.Failure<HealthStatusDocument>(ApiProblem.Unreachable("The gateway sent no health report."));
        }
        catch (Exception exception) when (exception is HttpRequestException or JsonException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return ApiResult.Failure<HealthStatusDocument>(ApiProblem.Unreachable("The gateway did not answer."));
        }
    }

    /// <summary>Sends one file as multipart/form-data (an upload source's upload).</summary>
    public async Task<ApiResult<T>> UploadAsync<T>(string path, Stream file, string fileName, string? contentType, CancellationToken cancellationToken = default)
    {
        using var form = new MultipartFormDataContent();
        var part = new StreamContent(file);
        part.Headers.ContentType = new MediaTypeHeaderValue(string.IsNullOrEmpty(contentType) ? "application/octet-stream" : contentType);
        form.Add(part, "file", fileName);
        return await SendAsync<T>(HttpMethod.Post, path, form, cancellationToken);
    }

    /// <summary>
    /// A download for a plain HTTP request of the console (not a page's circuit): the API's answer, its
    /// body not yet read, or the problem. The caller disposes the answer.
    /// </summary>
    public async Task<(HttpResponseMessage? Response, ApiProblem? Problem)> DownloadAsync(string path, ClaimsPrincipal user, CancellationToken cancellationToken) =>
        await tokens.AccessTokenAsync(user, cancellationToken) is { } token
            ? await AnswerAsync(HttpMethod.Get, path, null, token, HttpCompletionOption.ResponseHeadersRead, cancellationToken)
            : (null, ApiProblem.SignedOut);

    private async Task<ApiResult<T>> SendAsync<T>(HttpMethod method, string path, object? body, CancellationToken cancellationToken)
    {
        if (await tokens.AccessTokenAsync(cancellationToken) is not { } token)
        {
            return ApiResult.Failure<T>(ApiProblem.SignedOut);
        }
        var (answer, problem) = await AnswerAsync(method, path, body, token, HttpCompletionOption.ResponseContentRead, cancellationToken);
        if (answer is null)
        {
            return ApiResult.Failure<T>(problem!);
        }
        using var response = answer;
        if (response.Content.Headers.ContentLength == 0 || response.StatusCode == System.Net.HttpStatusCode.NoContent)
        {
            return ApiResult.Success<T>(default!);
        }
        return ApiResult.Success<T>((await response.Content.ReadFromJsonAsync<T>(Json, cancellationToken))!);
    }

    /// <summary>One request with the person's token (and an Idempotency-Key for a write): the successful answer, or the problem.</summary>
    private async Task<(HttpResponseMessage? Response, ApiProblem? Problem)> AnswerAsync(
        HttpMethod method, string path, object? body, string token, HttpCompletionOption completion, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, path.TrimStart('/'));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (method != HttpMethod.Get)
        {
            request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
        }
        request.Content = body switch
        {
            null => null,
            HttpContent content => content,
            _ => JsonContent.Create(body, options: Json),
        };
        try
        {
            var response = await http.SendAsync(request, completion, cancellationToken);
            if (response.IsSuccessStatusCode)
            {
                return (response, null);
            }
            using (response)
            {
                return (null, ApiProblem.From((int)response.StatusCode, response.ReasonPhrase, await response.Content.ReadAsStringAsync(cancellationToken)));
            }
        }
        catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return (null, ApiProblem.Unreachable("The request did not get an answer."));
        }
    }
}
