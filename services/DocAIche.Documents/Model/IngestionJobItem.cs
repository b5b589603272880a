namespace DocAIche.Documents.Model;

public enum IngestionItemState
{
    /// <summary>New or changed; its Markdown waits here to be applied.</summary>
    Staged,

    /// <summary>Seen at the source, same content as stored.</summary>
    Unchanged,

    /// <summary>Could not be read or processed; the stored document (if any) stays.</summary>
    Failed,
}

/// <summary>One document a job saw at its source: staged content, or the error a user can read.</summary>
public sealed class IngestionJobItem
{
    public long Id { get; set; }

    public Guid JobId { get; set; }

    /// <summary>The item's identity within its source: a repository path or a page's canonical URL.</summary>
    public required string Key { get; set; }

    public IngestionItemState State { get; set; }

    public string? Title { get; set; }

    public string? Url { get; set; }

    public string? Markdown { get; set; }

    public string? ContentHash { get; set; }

    public string? ETag { get; set; }

    public string? LastModified { get; set; }

    /// <summary>The links a crawled page has, kept with the document for conditional crawls.</summary>
    public List<string>? Links { get; set; }

    public string? Error { get; set; }

    public DateTimeOffset At { get; set; }

    public const int KeyMaxLength = 2048;
    public const int ErrorMaxLength = 1000;
}
