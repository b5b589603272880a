namespace DocAIche.Documents.Uploads;

/// <summary>Section <c>Ingestion:Uploads</c>: limits on an uploaded file or zip of documents.</summary>
internal sealed record UploadLimits
{
    public const string Section = "Ingestion:Uploads";

    public long MaxArchiveBytes { get; init; } = 50L * 1024 * 1024;

    public long MaxFileBytes { get; init; } = 5L * 1024 * 1024;

    public long MaxTotalUncompressedBytes { get; init; } = 200L * 1024 * 1024;

    public int MaxEntries { get; init; } = 10_000;

    /// <summary>Uncompressed to compressed size; real text stays far below it, zip bombs far above.</summary>
    public double MaxCompressionRatio { get; init; } = 100;
}
