namespace DocAIche.Audit.Trail;

/// <summary>What an event says for the audit trail, before it is sealed and chained.</summary>
public sealed record AuditEntry(
    string TenantId,
    DateTimeOffset OccurredAt,
    string Actor,
    string Action,
    string TargetType,
    string TargetId,
    string Outcome,
    string? ClientAddress = null,
    string? TraceId = null,
    IReadOnlyDictionary<string, string>? Details = null)
{
    /// <summary>The actor's kind, from its prefix.</summary>
    public static string ActorTypeOf(string actor) => actor switch
    {
        _ when actor.StartsWith("user:", StringComparison.Ordinal) => "user",
        _ when actor.StartsWith("apikey:", StringComparison.Ordinal) => "apikey",
        _ when actor.StartsWith("client:", StringComparison.Ordinal) => "client",
        _ when actor.StartsWith("service:", StringComparison.Ordinal) || actor == "schedule" => "service",
        _ => "anonymous",
    };

    /// <summary>Whether an actor or subject id names a person (or a person's API key), whose data erasure must be able to destroy.</summary>
    public static bool IsPersonal(string actor) =>
        actor.StartsWith("user:", StringComparison.Ordinal) || actor.StartsWith("apikey:", StringComparison.Ordinal);

    /// <summary>The subject id of a person's target (<c>user:{id}</c>, <c>apikey:{id}</c>), or null when the target is not personal.</summary>
    public string? TargetSubject => TargetType switch
    {
        "user" => $"user:{TargetId}",
        "api_key" => $"apikey:{TargetId}",
        _ => null,
    };
}
