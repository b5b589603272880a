namespace DocAIche.Contracts.Audit;

/// <summary>
/// A state-changing request was handled (or refused) by a service's API. Written to the outbox in
/// the same transaction as the change it describes, so the audit trail never misses an accepted write.
/// </summary>
/// <param name="TenantId">The tenant it concerns.</param>
/// <param name="Actor">Who did it: <c>user:{id}</c>, <c>apikey:{id}</c>, <c>client:{id}</c>, <c>service:{name}</c> or <c>anonymous</c>.</param>
/// <param name="Action">What was done, as <c>resource.verb</c> (<c>library.created</c>, <c>feedback.given</c>).</param>
/// <param name="TargetType">The kind of thing acted on.</param>
/// <param name="TargetId">Its id (never an email or a name).</param>
/// <param name="Outcome"><c>success</c>, <c>failure</c> or <c>denied</c>.</param>
/// <param name="ClientAddress">The caller's address, when known (personal data: the audit service seals it).</param>
/// <param name="TraceId">The W3C trace id of the request, to find its logs and spans.</param>
/// <param name="Details">Anything else worth keeping, as short strings (sealed with the actor's key).</param>
/// <param name="OccurredAt">When the change was committed.</param>
public sealed record AuditEventOccurred(
    string TenantId,
    string Actor,
    string Action,
    string TargetType,
    string TargetId,
    string Outcome,
    string? ClientAddress,
    string? TraceId,
    IReadOnlyDictionary<string, string>? Details,
    DateTimeOffset OccurredAt);
