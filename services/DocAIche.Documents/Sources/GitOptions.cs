using System.ComponentModel.DataAnnotations;

namespace DocAIche.Documents.Sources;

/// <summary>Section <c>Ingestion:Git</c>: how Git repositories are read.</summary>
internal sealed class GitOptions
{
    public const string Section = "Ingestion:Git";

    /// <summary>The git executable.</summary>
    [Required]
    public string Executable { get; set; } = "git";

    [Range(typeof(TimeSpan), "00:00:05", "02:00:00")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Files larger than this are item errors, not documents.</summary>
    [Range(1024, 100 * 1024 * 1024)]
    public long MaxFileBytes { get; set; } = 5 * 1024 * 1024;

    /// <summary>Matching files in a repository with no include globs of its own.</summary>
    public List<string> DefaultInclude { get; set; } = ["**/*.md", "**/*.mdx", "**/*.markdown", "**/*.rst", "**/*.txt", "**/*.html", "**/*.htm"];

    /// <summary>Always skipped unless a source's own include names them.</summary>
    public List<string> DefaultExclude { get; set; } = [".github/**", "**/node_modules/**", "**/CHANGELOG*", "**/CHANGES*", "**/LICENSE*"];
}
