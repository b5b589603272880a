namespace DocAIche.Documents.Chunking;

/// <summary>Section <c>Ingestion:Chunking</c>: how documents are cut into chunks for embedding and search, in characters.</summary>
internal sealed record ChunkingOptions
{
    public const string Section = "Ingestion:Chunking";

    /// <summary>The size chunks are packed up to.</summary>
    public int TargetCharacters { get; init; } = 1500;

    /// <summary>Text from the end of a chunk repeated at the start of the next one of the same section.</summary>
    public int OverlapCharacters { get; init; } = 150;

    /// <summary>A code block or table larger than this is split; nothing smaller is.</summary>
    public int MaxCharacters { get; init; } = 6000;

    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (TargetCharacters is < 100 or > 100_000)
        {
            errors.Add("TargetCharacters must be between 100 and 100,000.");
        }

        if (OverlapCharacters < 0 || OverlapCharacters > TargetCharacters / 2)
        {
            errors.Add("OverlapCharacters must be between 0 and half of TargetCharacters.");
        }

        if (MaxCharacters < TargetCharacters || MaxCharacters > 1_000_000)
        {
            errors.Add("MaxCharacters must be at least TargetCharacters and at most 1,000,000.");
        }

        return errors;
    }

    /// <exception cref="ArgumentException">The options are not usable; the message lists why.</exception>
    public void EnsureValid()
    {
        var errors = Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", errors));
        }
    }
}
