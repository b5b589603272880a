namespace DocAIche.Console.Api;

public sealed record Page<T>(List<T> Items, string? NextCursor);

public sealed record Library(
    Guid Id, string Name, string? Description, bool Shared, bool Owned, string? DefaultVersion, List<string> Versions,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    /// <summary>Every version of <paramref name="libraries"/> as a picker shows it ("react 19"), with what it names.</summary>
    public static Dictionary<string, (Guid Library, string Version)> VersionChoices(IEnumerable<Library>? libraries) =>
        (libraries ?? []).SelectMany(l => l.Versions.Select(v => (Key: $"{l.Name} {v}", l.Id, v))).ToDictionary(x => x.Key, x => (x.Id, x.v));
}

public sealed record ApiKey(
    Guid Id, string Name, string Prefix, List<string> Roles, DateTimeOffset CreatedAt,
    DateTimeOffset? ExpiresAt, DateTimeOffset? RevokedAt, DateTimeOffset? LastUsedAt, Guid CreatedBy, string? Key);

public sealed record SearchHit(
    Guid DocumentId, Guid ChunkId, Guid LibraryId, string Library, string Version, string Title, string Breadcrumb, string? Url,
    string Snippet, string Content, double Score, int Tokens, bool Truncated);

public sealed record SearchAnswer(string Query, string? Library, string? Version, List<string> Methods, List<SearchHit> Results, int Tokens, string? NextCursor);


public sealed record GitSettings(string Url, string? Ref, List<string> Include, List<string> Exclude, bool HasToken);

public sealed record WebsiteSettings(
    List<string> StartUrls, string? SitemapUrl, List<string> Include, List<string> Exclude, bool UseDefaultExcludes, int MaxPages, int MaxDepth,
    int Concurrency, int DelayMilliseconds);

public sealed record Source(
    Guid Id, Guid LibraryId, string Library, string Version, string Kind, GitSettings? Git, WebsiteSettings? Website,
    string? Schedule, DateTimeOffset? NextRunAt, string? LastCommit, DateTimeOffset? LastIngestedAt, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    /// <summary>Where the source reads from, in one line.</summary>
    public string Origin => Kind switch
    {
        "git" when Git is not null => Git.Ref is { Length: > 0 } reference ? $"{Git.Url} @ {reference}" : Git.Url,
        "website" when Website is not null => string.Join(", ", Website.StartUrls),
        _ => "uploaded files",
    };
}

public sealed record Job(
    Guid Id, Guid SourceId, string State, string Trigger, string RequestedBy, Guid? RetryOf,
    int Discovered, int Fetched, int Processed, int Skipped, int Failed, int Chunks, int DocumentsChanged, int DocumentsRemoved,
    string? Commit, string? Error, string? Note, bool CancelRequested,
    DateTimeOffset CreatedAt, DateTimeOffset? StartedAt, DateTimeOffset? FinishedAt)
{
    public bool Finished => State is "succeeded" or "failed" or "cancelled";
}

public sealed record JobError(string Key, string? Url, string Error, DateTimeOffset At);

public sealed record AuditRecord(
    long Id, long Sequence, DateTimeOffset OccurredAt, DateTimeOffset RecordedAt, string ActorType, string Actor, string Action,
    string TargetType, string TargetId, string Outcome, string? ClientAddress, string? TraceId, Dictionary<string, string>? Details, string Hash);

public sealed record BrokenLink(long Id, long Sequence, string Reason);

public sealed record ChainVerification(
    bool Verified, long RecordsChecked, long? FirstSequence, long? LastSequence, string? LastHash, long? CheckpointSequence,
    BrokenLink? FirstBroken, string? Problem, double Milliseconds);

public sealed record AuditRecordPage(List<AuditRecord> Items, string? NextCursor);

public sealed record User(Guid Id, string Email, string DisplayName, List<string> Roles, bool Disabled, DateTimeOffset CreatedAt, DateTimeOffset? LastSignInAt);

public sealed record MachineClient(string ClientId, string DisplayName, List<string> Roles, DateTimeOffset CreatedAt, string? ClientSecret);

public sealed record DocumentSummary(
    Guid Id, Guid LibraryId, Guid SourceId, string Key, string Title, string? SourceUrl, string ContentHash, int Revision,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, string? Content);

public sealed record Chunk(Guid Id, int Ordinal, string Breadcrumb, string? Url, List<string> Languages, string Content, string ContentHash);

public sealed record PrivacyServiceStatus(string Service, bool Answered, DateTimeOffset? At);

public sealed record PrivacyRequest(
    Guid Id, string Kind, string? SubjectId, string State, List<PrivacyServiceStatus> Services,
    DateTimeOffset CreatedAt, DateTimeOffset? CompletedAt, string? BundleUrl);

public sealed record RetentionSettings(int AuditRecordDays, int QueryHistoryDays);

public sealed record Tenant(string Id, string Name, DateTimeOffset CreatedAt);

public sealed record GroupRolesMapping(string Group, List<string> Roles);

/// <summary>The tenant's identity provider as the API shows it (never its client secret).</summary>
public sealed record IdentityProviderSettings(
    string DisplayName, string Authority, string ClientId, bool HasClientSecret, List<string> Scopes,
    string EmailClaim, string NameClaim, string GroupsClaim, List<GroupRolesMapping> GroupRoles,
    List<string> Domains, bool EnforceSso, bool Enabled, string RedirectUri, DateTimeOffset UpdatedAt);

public sealed record MfaStatus(bool Enabled, DateTimeOffset? EnabledAt, int RecoveryCodesLeft, bool Required);

public sealed record MfaEnrolment(string Secret, string OtpAuthUri, string QrCodeSvg);

public sealed record MfaRecoveryCodes(List<string> RecoveryCodes);

public sealed record MfaPolicy(bool Required);

public sealed record SearchUsageRow(
    string? Tenant, DateOnly? Day, string? Group, long Searches, long Answers, long McpToolCalls, long ZeroResultSearches, long Results, long TokensServed,
    double? P50Milliseconds, double? P95Milliseconds, long? Feedback, double? FeedbackRate);

/// <summary>A row of <c>GET /api/v1/usage</c>: every kind of usage of a tenant on a day, or in total.</summary>
public sealed record UsageSummaryRow(
    string? Tenant, DateOnly? Day,
    long Searches, long Answers, long McpToolCalls, long ZeroResultSearches, long ResultsServed, long TokensServed,
    double? P50Milliseconds, double? P95Milliseconds, double? FeedbackRate,
    long IngestionJobs, long FailedJobs, long PagesFetched, long PagesFailed, long DocumentsChanged,
    long? Documents, long? Chunks, long? StorageBytes, long PeakLiveConnections);

public sealed record UsageSummary(string Granularity, List<string> Unavailable, List<UsageSummaryRow> Rows);

/// <summary>A tenant's quotas; null is no limit.</summary>
public sealed record Quotas(long? Libraries, long? Documents, long? StorageBytes, long? SearchesPerDay, long? LiveConnections);

public sealed record SearchUsageReport(DateTimeOffset From, DateTimeOffset To, string Granularity, string GroupBy, List<SearchUsageRow> Rows);

public sealed record QueryUsageRow(string Query, string? Library, long Searches, long ZeroResultSearches, DateTimeOffset LastAt);
