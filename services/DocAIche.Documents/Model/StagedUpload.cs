namespace DocAIche.Documents.Model;

/// <summary>An uploaded file or archive kept until its job ends, so a restarted job can read it again.</summary>
public sealed class StagedUpload
{
    public Guid JobId { get; set; }

    public required string FileName { get; set; }

    public byte[] Content { get; set; } = [];
}
