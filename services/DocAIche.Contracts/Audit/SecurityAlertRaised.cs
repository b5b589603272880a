namespace DocAIche.Contracts.Audit;

/// <summary>
/// The audit service saw a pattern worth a human look: repeated failed sign-ins for an account or
/// from an address, an API key used from many addresses, or a burst of deletions. The websocket
/// service shows it to the tenant's admins, owners and auditors on the <c>alerts</c> topic.
/// </summary>
/// <param name="AlertId">The alert's id.</param>
/// <param name="TenantId">The tenant it concerns.</param>
/// <param name="Kind"><c>failed-sign-ins.account</c>, <c>failed-sign-ins.address</c>, <c>api-key.many-addresses</c> or <c>deletions.burst</c>.</param>
/// <param name="Subject">What it is about: an account (<c>user:{id}</c>), an API key (<c>apikey:{id}</c>), an actor, or the client address that failed to sign in (never an email).</param>
/// <param name="Count">How many events crossed the threshold.</param>
/// <param name="Window">Over how long.</param>
/// <param name="Summary">One sentence for a person.</param>
/// <param name="RaisedAt">When.</param>
public sealed record SecurityAlertRaised(
    Guid AlertId,
    string TenantId,
    string Kind,
    string Subject,
    int Count,
    TimeSpan Window,
    string Summary,
    DateTimeOffset RaisedAt);
