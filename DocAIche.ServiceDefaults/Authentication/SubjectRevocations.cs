namespace DocAIche.ServiceDefaults.Authentication;

/// <summary>
/// Subjects (<c>user:…</c>, <c>apikey:…</c>, <c>client:…</c>) whose tokens stopped at a moment:
/// identity writes them to Redis when a person is deprovisioned, and the gateways refuse every token
/// of such a subject issued before that moment, at once rather than when it expires.
/// </summary>
public static class SubjectRevocations
{
    /// <summary>Redis hash: subject → the Unix time (seconds) from which its earlier tokens are refused.</summary>
    public const string Key = "docaiche:revoked-subjects";

    /// <summary>Redis channel on which each revoked subject is announced as <c>subject unix-seconds</c>.</summary>
    public const string Channel = "docaiche:revoked-subjects";

    /// <summary>How long a revocation is kept: longer than any access token lives (Identity:AccessTokenLifetime is at most a day).</summary>
    public static readonly TimeSpan Kept = TimeSpan.FromDays(1) + TimeSpan.FromMinutes(10);
}
