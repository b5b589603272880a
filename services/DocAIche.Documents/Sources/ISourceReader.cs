using DocAIche.Documents.Processing;

namespace DocAIche.Documents.Sources;

/// <summary>One thing a source reader found: content to process, a page it already normalised, or an error.</summary>
internal sealed record SourceItem(string Key)
{
    public string? Url { get; init; }

    public ContentKind? Kind { get; init; }

    /// <summary>Raw text in <see cref="Kind"/>'s format.</summary>
    public string? Content { get; init; }

    /// <summary>Set when the reader already normalised the item (the crawler does, to follow links).</summary>
    public NormalisedDocument? Document { get; init; }

    public string? Error { get; init; }

    /// <summary>The source said the item has not changed since the stored copy (HTTP 304).</summary>
    public bool NotModified { get; init; }

    public string? ETag { get; init; }

    public string? LastModified { get; init; }

    /// <summary>For a page that was not modified: the links the stored copy has.</summary>
    public IReadOnlyList<string>? Links { get; init; }

    public static SourceItem Failure(string key, string error, string? url = null) => new(key) { Error = error, Url = url };
}

/// <summary>What a job already knows about a stored document, for conditional requests and change detection.</summary>
internal sealed record KnownDocument(string ContentHash, string Title, string? ETag, string? LastModified, IReadOnlyList<string>? Links);

/// <summary>Everything a reader needs for one job, and what it reports back.</summary>
internal sealed class SourceReading
{
    public required Model.IngestionJob Job { get; init; }

    public required Model.Source Source { get; init; }

    /// <summary>Stored documents of the source by key.</summary>
    public required IReadOnlyDictionary<string, KnownDocument> Known { get; init; }

    /// <summary>The source's credential, decrypted, when it has one.</summary>
    public string? Token { get; init; }

    /// <summary>When set (a retry), the only keys to read.</summary>
    public IReadOnlySet<string>? OnlyKeys { get; init; }

    /// <summary>Set by the Git reader: the commit it read.</summary>
    public string? Commit { get; set; }

    /// <summary>Set by a reader that found nothing to do (the same commit again); the job ends at once as succeeded.</summary>
    public string? NothingToDo { get; set; }

    private int discovered;
    private int skipped;

    public int Discovered => Volatile.Read(ref discovered);

    public int Skipped => Volatile.Read(ref skipped);

    public void Discover(int count = 1) => Interlocked.Add(ref discovered, count);

    /// <summary>Counts an item left out on purpose (robots.txt, a pattern, a duplicate, not a document).</summary>
    public void Skip() => Interlocked.Increment(ref skipped);
}

/// <summary>Reads the items of one kind of source.</summary>
internal interface ISourceReader
{
    Model.SourceKind Kind { get; }

    IAsyncEnumerable<SourceItem> ReadAsync(SourceReading reading, CancellationToken cancellationToken);
}

/// <summary>A job cannot go on at all (repository unreachable, ref unknown, robots.txt forbids everything).</summary>
internal sealed class IngestionFailedException(string message, Exception? inner = null) : Exception(message, inner);
