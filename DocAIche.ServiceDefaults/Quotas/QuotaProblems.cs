using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace DocAIche.ServiceDefaults.Quotas;

/// <summary>The problem a request gets when it would go past one of its tenant's quotas: the quota is named, with its limit and the use.</summary>
public static class QuotaProblems
{
    /// <summary>403: the tenant holds as much as its quota allows (libraries, documents, storage).</summary>
    public static ProblemHttpResult Full(string quota, long limit, long used, string what) =>
        TypedResults.Problem(
            title: "Quota exceeded",
            detail: $"The tenant's {quota} quota is {limit.ToString("N0", CultureInfo.InvariantCulture)} {what} and it holds {used.ToString("N0", CultureInfo.InvariantCulture)}. Remove some, or ask an operator to raise the quota.",
            statusCode: StatusCodes.Status403Forbidden,
            extensions: Extensions(quota, limit, used));

    /// <summary>429 with Retry-After: the tenant used its quota for the period (searches per day, live connections).</summary>
    public static ProblemHttpResult Spent(HttpContext http, string quota, long limit, long used, string what, TimeSpan retryAfter)
    {
        var seconds = Math.Max(1, (long)Math.Ceiling(retryAfter.TotalSeconds));
        http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        return TypedResults.Problem(
            title: "Quota exceeded",
            detail: $"The tenant's {quota} quota is {limit.ToString("N0", CultureInfo.InvariantCulture)} {what}; try again in {seconds} s, or ask an operator to raise the quota.",
            statusCode: StatusCodes.Status429TooManyRequests,
            extensions: Extensions(quota, limit, used));
    }

    private static Dictionary<string, object?> Extensions(string quota, long limit, long used) =>
        new() { ["quota"] = quota, ["limit"] = limit, ["used"] = used };
}
