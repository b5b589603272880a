using System.Runtime.CompilerServices;
using System.Text;
using DocAIche.Documents.Infrastructure;
using DocAIche.Documents.Model;
using DocAIche.Documents.Processing;
using DocAIche.Documents.Uploads;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace DocAIche.Documents.Sources;

/// <summary>Reads the file or zip archive uploaded for a job (kept in the database until the job ends).</summary>
internal sealed class UploadReader(DocumentsDbContext db, IOptions<UploadLimits> limits) : ISourceReader
{
    public SourceKind Kind => SourceKind.Upload;

    public async IAsyncEnumerable<SourceItem> ReadAsync(SourceReading reading, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var upload = await db.StagedUploads.AsNoTracking().SingleOrDefaultAsync(u => u.JobId == reading.Job.Id, cancellationToken)
            ?? throw new IngestionFailedException("The uploaded file is no longer there; upload it again.");

        if (IsArchive(upload.FileName))
        {
            using var archive = new MemoryStream(upload.Content, writable: false);
            foreach (var file in UploadArchive.Read(archive, limits.Value))
            {
                cancellationToken.ThrowIfCancellationRequested();
                reading.Discover();
                yield return file.Error is { } error
                    ? SourceItem.Failure(file.Path, error)
                    : new SourceItem(file.Path) { Kind = file.Kind, Content = file.Text };
            }
            yield break;
        }

        reading.Discover();
        var kind = ContentKinds.FromPath(upload.FileName);
        var text = Decode(upload.Content);
        yield return kind is null ? SourceItem.Failure(upload.FileName, "Not a document type DocAIche reads.")
            : text is null ? SourceItem.Failure(upload.FileName, "The file is not UTF-8 text.")
            : new SourceItem(upload.FileName) { Kind = kind, Content = text };
    }

    public static bool IsArchive(string fileName) => fileName.EndsWith(".zip", StringComparison.OrdinalIgnoreCase);

    /// <summary>Strict UTF-8 (a BOM is dropped); null when the bytes are not UTF-8.</summary>
    public static string? Decode(byte[] content)
    {
        var start = content.AsSpan().StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]) ? 3 : 0;
        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(content, start, content.Length - start);
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
    }
}
