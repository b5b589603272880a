using DocAIche.ServiceDefaults.Data;
namespace DocAIche.Search.Model;

/// <summary>What a user said or did about one search result: the signals ranking learns from.</summary>
public sealed class SearchFeedback : ITenantOwned
{
    public Guid FeedbackId { get; set; }

    public required string TenantId { get; set; }

    /// <summary>The user or API key that gave it.</summary>
    public required string Subject { get; set; }

    public Guid DocumentId { get; set; }

    public Guid? ChunkId { get; set; }

    /// <summary>The search the result came from, as typed.</summary>
    public string? Query { get; set; }

    public FeedbackKind Kind { get; set; }

    /// <summary>
    /// How far this moves its page in ranking, by kind (helpful +1, not helpful -1, used +0.5, opened
    /// +0.25): computed by the database from <see cref="Kind"/>, so that every ranking statement sums
    /// the same weights.
    /// </summary>
    public double Weight { get; private set; }

    public string? Comment { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>Explicit judgements and implicit signals, each with its own weight in ranking.</summary>
public enum FeedbackKind
{
    Helpful,
    NotHelpful,
    Opened,
    Used,
}
