namespace DocAIche.Contracts.Identity;

/// <summary>
/// Something security-relevant happened in the identity service: a sign-in, a failed one, a
/// lockout, a change to users, roles, clients or API keys. The audit service records each one.
/// </summary>
/// <param name="TenantId">The tenant it concerns.</param>
/// <param name="Actor">Who did it: <c>user:{id}</c>, <c>client:{id}</c>, <c>apikey:{id}</c>, or <c>anonymous</c>.</param>
/// <param name="Action">What happened, as <c>resource.verb</c>: <c>user.signed_in</c>, <c>user.sign_in_failed</c>, <c>user.locked_out</c>, <c>user.created</c>, <c>user.roles_changed</c>, <c>user.disabled</c>, <c>user.enabled</c>, <c>user.deleted</c>, <c>api_key.created</c>, <c>api_key.revoked</c>, <c>client.created</c>, <c>client.deleted</c>, <c>tenant.created</c>.</param>
/// <param name="TargetType">The kind of thing acted on.</param>
/// <param name="TargetId">Its id.</param>
/// <param name="Outcome"><c>success</c> or <c>failure</c>.</param>
/// <param name="ClientAddress">The caller's address, when known.</param>
/// <param name="OccurredAt">When.</param>
/// <param name="TraceId">The W3C trace id of the request, when there was one.</param>
public sealed record SecurityEventOccurred(
    string TenantId,
    string Actor,
    string Action,
    string TargetType,
    string TargetId,
    string Outcome,
    string? ClientAddress,
    DateTimeOffset OccurredAt,
    string? TraceId = null);
