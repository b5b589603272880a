using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using DocAIche.Documents.Processing;
using DocAIche.Documents.Uploads;

namespace DocAIche.UnitTests.Documents;

public sealed class UploadArchiveTests
{
    private static readonly UploadLimits Limits = new();

    private static MemoryStream Zip(params (string Name, byte[] Content)[] entries)
    {
        var stream = new MemoryStream();
        using (var archive = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, content) in entries)
            {
                using var entry = archive.CreateEntry(name).Open();
                entry.Write(content);
            }
        }

        stream.Position = 0;
        return stream;
    }

    private static (string, byte[]) Text(string name, string content) => (name, Encoding.UTF8.GetBytes(content));

    /// <summary>Rewrites fields of every central directory header, as a hostile archive would.</summary>
    private static MemoryStream Forge(MemoryStream zip, uint? declaredSize = null, bool encrypted = false)
    {
        var bytes = zip.ToArray();
        for (var i = 0; i + 46 <= bytes.Length; i++)
        {
            if (BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(i)) != 0x02014B50)
            {
                continue;
            }

            if (declaredSize is { } size)
            {
                BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(i + 24), size);
            }

            if (encrypted)
            {
                bytes[i + 8] |= 1;
            }
        }

        return new MemoryStream(bytes);
    }

    [Fact]
    public void A_good_archive_is_read_and_non_documents_are_skipped()
    {
        using var zip = Zip(
            ("docs/intro.md", [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes("# Intro\n\nCafé")]),
            Text("docs/guide.rst", "Guide\n====="),
            Text("README.txt", "read me"),
            ("img/logo.png", [0x89, 0x50, 0x4E, 0x47]),
            Text("docs/", ""),
            Text("__MACOSX/docs/._intro.md", "junk"),
            Text(".github/workflow.md", "hidden"),
            Text("docs/.draft.md", "hidden"),
            ("bad.md", [0x48, 0xC3, 0x28, 0xFF]));

        var check = UploadArchive.Inspect(zip, Limits);
        var files = UploadArchive.Read(zip, Limits).ToList();

        Assert.Empty(check.Problems);
        Assert.Equal(4, check.DocumentEntries);
        Assert.Equal(["docs/intro.md", "docs/guide.rst", "README.txt", "bad.md"], files.Select(f => f.Path));
        Assert.Equal([ContentKind.Markdown, ContentKind.ReStructuredText, ContentKind.PlainText, ContentKind.Markdown], files.Select(f => f.Kind));
        Assert.Equal("# Intro\n\nCafé", files[0].Text);
        Assert.Null(files[0].Error);
        Assert.Null(files[3].Text);
        Assert.Equal("not UTF-8 text", files[3].Error);
    }

    [Theory]
    [InlineData("../evil.md", "..")]
    [InlineData("docs/../../evil.md", "..")]
    [InlineData("/etc/cron.d/evil.md", "absolute path")]
    [InlineData("C:/Windows/evil.md", "drive letter")]
    [InlineData("docs\\evil.md", "backslash")]
    [InlineData("docs/evil\0.md", "NUL")]
    public void A_dangerous_entry_name_refuses_the_upload(string name, string reason)
    {
        using var zip = Zip(Text("docs/fine.md", "ok"), Text(name, "x"));

        var check = UploadArchive.Inspect(zip, Limits);

        var problem = Assert.Single(check.Problems);
        Assert.Contains(reason, problem, StringComparison.Ordinal);
        Assert.False(check.IsAcceptable);
        Assert.Throws<InvalidDataException>(() => UploadArchive.Read(zip, Limits).ToList());
    }

    [Fact]
    public void Bytes_that_are_not_a_zip_are_refused()
    {
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes("# Just a markdown file, not an archive\n"));

        var check = UploadArchive.Inspect(stream, Limits);

        Assert.Contains("not a readable zip", Assert.Single(check.Problems), StringComparison.Ordinal);
    }

    [Fact]
    public void Too_many_entries_are_refused_before_they_are_listed()
    {
        using var zip = Zip(Enumerable.Range(0, 5).Select(i => Text($"{i}.md", "x")).ToArray());

        var check = UploadArchive.Inspect(zip, Limits with { MaxEntries = 3 });

        Assert.Contains("5 entries", Assert.Single(check.Problems), StringComparison.Ordinal);
    }

    [Fact]
    public void An_archive_over_the_size_limit_is_refused()
    {
        using var zip = Zip(Text("a.md", new string('x', 2000)));

        var check = UploadArchive.Inspect(zip, Limits with { MaxArchiveBytes = 100 });

        Assert.Contains("larger than 100 bytes", Assert.Single(check.Problems), StringComparison.Ordinal);
    }

    [Fact]
    public void A_zip_bomb_is_refused_by_its_compression_ratio()
    {
        using var zip = new MemoryStream();
        using (var archive = new ZipArchive(zip, ZipArchiveMode.Create, leaveOpen: true))
        {
            // 300 MB of zeros written in pieces, so the test never holds them in memory.
            using var entry = archive.CreateEntry("bomb.md", CompressionLevel.Optimal).Open();
            var zeros = new byte[1024 * 1024];
            for (var i = 0; i < 300; i++)
            {
                entry.Write(zeros);
            }
        }

        Assert.True(zip.Length < 2 * 1024 * 1024);
        var generous = Limits with { MaxFileBytes = 1L << 30, MaxTotalUncompressedBytes = 1L << 30 };

        var check = UploadArchive.Inspect(zip, generous);

        Assert.Contains("over the 100:1 limit", Assert.Single(check.Problems), StringComparison.Ordinal);
        Assert.Contains(UploadArchive.Inspect(zip, Limits).Problems, p => p.Contains("limit for one file", StringComparison.Ordinal));
    }

    [Fact]
    public void Encrypted_entries_are_refused()
    {
        using var zip = Forge(Zip(Text("secret.md", "hidden")), encrypted: true);

        Assert.Contains("encrypted", Assert.Single(UploadArchive.Inspect(zip, Limits).Problems), StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_over_the_limit_is_refused_by_inspection_and_not_read()
    {
        using var zip = Zip(Text("small.md", "ok"), Text("large.md", new string('a', 5000)));
        var limits = Limits with { MaxFileBytes = 1000 };

        Assert.Contains("large.md", Assert.Single(UploadArchive.Inspect(zip, limits).Problems), StringComparison.Ordinal);
        var files = UploadArchive.Read(zip, limits).ToList();

        Assert.Equal("ok", files[0].Text);
        Assert.Null(files[1].Text);
        Assert.Equal("larger than 1000 bytes", files[1].Error);
    }

    [Fact]
    public void A_lie_about_a_file_size_is_caught_by_its_checksum()
    {
        using var zip = Forge(Zip(Text("liar.md", new string('a', 5000))), declaredSize: 10);

        Assert.Empty(UploadArchive.Inspect(zip, Limits).Problems);
        var file = Assert.Single(UploadArchive.Read(zip, Limits));

        Assert.Null(file.Text);
        Assert.Equal("damaged (checksum mismatch)", file.Error);
    }

    [Fact]
    public void Reading_stops_once_the_real_total_passes_the_limit()
    {
        using var zip = Zip(Text("1.md", new string('a', 400)), Text("2.md", new string('b', 400)), Text("3.md", new string('c', 400)), Text("4.md", "d"));
        var limits = Limits with { MaxTotalUncompressedBytes = 1000 };

        Assert.Contains("add up to 1201 bytes", Assert.Single(UploadArchive.Inspect(zip, limits).Problems), StringComparison.Ordinal);
        var files = UploadArchive.Read(zip, limits).ToList();

        Assert.Equal(new string('a', 400), files[0].Text);
        Assert.Equal(new string('b', 400), files[1].Text);
        Assert.Equal(4, files.Count);
        Assert.All(files.Skip(2), f =>
        {
            Assert.Null(f.Text);
            Assert.Contains("exceed 1000 bytes", f.Error, StringComparison.Ordinal);
        });
    }

    [Fact]
    public void A_forward_only_stream_is_read()
    {
        using var zip = Zip(Text("a.md", "# A"));
        using var forwardOnly = new ForwardOnlyStream(zip.ToArray());

        var file = Assert.Single(UploadArchive.Read(forwardOnly, Limits));

        Assert.Equal("# A", file.Text);
    }

    private sealed class ForwardOnlyStream(byte[] data) : Stream
    {
        private readonly MemoryStream inner = new(data);

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            inner.Dispose();
            base.Dispose(disposing);
        }
    }
}
