using System.Net;
using System.Net.Http.Headers;
using DocAIche.Audit.Trail;
using DocAIche.ServiceDefaults.Privacy;
using Microsoft.Net.Http.Headers;

namespace DocAIche.Audit.Privacy;

/// <summary>
/// Whether a data subject belongs to the caller's tenant, so that a privacy request can never reach
/// into another tenant. A current user is looked up in identity (with the caller's own token, so
/// identity applies its tenant rules); a user deleted since still counts when this tenant's own
/// trail names them (their data may outlive their account).
/// </summary>
public sealed class TenantSubjects(HttpClient identity, AuditRecordReader trail)
{
    public const string HttpClientName = "identity";

    /// <summary>True when <paramref name="subject"/> (<c>user:{id}</c>) is or was a user of <paramref name="tenantId"/>.</summary>
    public async Task<bool> BelongsToAsync(string tenantId, string subject, string callerAuthorization, CancellationToken cancellationToken)
    {
        var id = PrivacyErasure.IdOf(subject);
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/users/{Uri.EscapeDataString(id)}");
        request.Headers.Authorization = AuthenticationHeaderValue.Parse(callerAuthorization);
        using var response = await identity.SendAsync(request, cancellationToken);
        if (response.IsSuccessStatusCode)
        {
            return true;
        }
        if (response.StatusCode != HttpStatusCode.NotFound)
        {
            throw new HttpRequestException($"Identity answered {(int)response.StatusCode} when asked about a data subject.", null, response.StatusCode);
        }

        foreach (var filter in new[] { new AuditRecordFilter(Target: id), new AuditRecordFilter(Actor: subject) })
        {
            if ((await trail.ReadAsync(tenantId, filter, 0, 1, cancellationToken)).Count > 0)
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>The caller's Authorization header, as the gateway forwarded it.</summary>
    public static string? AuthorizationOf(HttpContext http) =>
        http.Request.Headers[HeaderNames.Authorization] is { Count: 1 } header ? header.ToString() : null;
}
