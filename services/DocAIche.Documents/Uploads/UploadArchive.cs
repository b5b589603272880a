using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using DocAIche.Documents.Processing;

namespace DocAIche.Documents.Uploads;

/// <summary>Problems that refuse the whole upload (empty when it may be read), and how many documents it holds.</summary>
internal sealed record ArchiveCheck(IReadOnlyList<string> Problems, int DocumentEntries)
{
    public bool IsAcceptable => Problems.Count == 0;
}

/// <summary>A document from the archive: its text, or why it could not be read.</summary>
internal sealed record UploadedFile(string Path, ContentKind Kind, string? Text, string? Error);

/// <summary>
/// Checks and reads uploaded zip archives. Inspect refuses archives that are hostile or over the
/// limits by what the central directory declares; Read then counts the bytes it really
/// decompresses, because declared sizes can lie.
/// </summary>
internal static class UploadArchive
{
    private const int MaxListedProblems = 20;

    // Small entries compress absurdly well without being a danger; the ratio check is for bombs.
    private const long RatioCheckFloor = 1024 * 1024;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static ArchiveCheck Inspect(Stream zip, UploadLimits limits)
    {
        ArgumentNullException.ThrowIfNull(zip);
        ArgumentNullException.ThrowIfNull(limits);
        var problems = new List<string>();
        var documents = 0;

        var (stream, sizeProblem) = Seekable(zip, limits);
        if (sizeProblem is not null)
        {
            return new ArchiveCheck([sizeProblem], 0);
        }

        try
        {
            // The entry count is in the end record: refuse before the runtime materialises every entry.
            var declaredEntries = DeclaredEntryCount(stream);
            if (declaredEntries > limits.MaxEntries)
            {
                return new ArchiveCheck([$"The archive has {declaredEntries} entries; the limit is {limits.MaxEntries}."], 0);
            }

            stream.Position = 0;
            using var archive = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: true);
            var entries = archive.Entries;
            if (entries.Count > limits.MaxEntries)
            {
                return new ArchiveCheck([$"The archive has {entries.Count} entries; the limit is {limits.MaxEntries}."], 0);
            }

            long declaredTotal = 0;
            foreach (var entry in entries)
            {
                if (NameProblem(entry.FullName) is { } nameProblem)
                {
                    problems.Add($"{Display(entry.FullName)}: {nameProblem}.");
                    continue;
                }

                if (entry.IsEncrypted)
                {
                    problems.Add($"{Display(entry.FullName)}: encrypted entries cannot be read.");
                    continue;
                }

                if (Kind(entry.FullName) is null)
                {
                    continue;
                }

                documents++;
                declaredTotal += entry.Length;
                if (entry.Length > limits.MaxFileBytes)
                {
                    problems.Add($"{Display(entry.FullName)}: {entry.Length} bytes, over the {limits.MaxFileBytes}-byte limit for one file.");
                }

                if (entry.Length > RatioCheckFloor && Ratio(entry) > limits.MaxCompressionRatio)
                {
                    problems.Add($"{Display(entry.FullName)}: compressed {Ratio(entry):0}:1, over the {limits.MaxCompressionRatio:0}:1 limit.");
                }
            }

            if (declaredTotal > limits.MaxTotalUncompressedBytes)
            {
                problems.Add($"The documents add up to {declaredTotal} bytes uncompressed; the limit is {limits.MaxTotalUncompressedBytes}.");
            }
        }
        catch (Exception e) when (e is InvalidDataException or IOException or ArgumentException or NotSupportedException)
        {
            return new ArchiveCheck(["The upload is not a readable zip archive."], 0);
        }
        finally
        {
            if (!ReferenceEquals(stream, zip))
            {
                stream.Dispose();
            }
        }

        if (problems.Count > MaxListedProblems)
        {
            var more = problems.Count - MaxListedProblems;
            problems = [.. problems.Take(MaxListedProblems), $"... and {more} more."];
        }

        return new ArchiveCheck(problems, documents);
    }

    /// <summary>
    /// The documents in the archive, in archive order; directories, unknown file types, macOS
    /// metadata and dot-files are skipped. Sizes are enforced on the bytes actually decompressed,
    /// file by file and in total, whatever the archive declares. Call <see cref="Inspect"/> first to
    /// refuse hostile or oversized uploads as a whole; on its own this still refuses (with
    /// InvalidDataException) archives that are not zips, too large, too many entries or unsafe names.
    /// </summary>
    public static IEnumerable<UploadedFile> Read(Stream zip, UploadLimits limits)
    {
        ArgumentNullException.ThrowIfNull(zip);
        ArgumentNullException.ThrowIfNull(limits);
        return ReadChecked(zip, limits);
    }

    private static IEnumerable<UploadedFile> ReadChecked(Stream zip, UploadLimits limits)
    {
        var (stream, sizeProblem) = Seekable(zip, limits);
        try
        {
            if (sizeProblem is not null)
            {
                throw new InvalidDataException(sizeProblem);
            }

            if (DeclaredEntryCount(stream) > limits.MaxEntries)
            {
                throw new InvalidDataException($"The archive has more than {limits.MaxEntries} entries.");
            }

            stream.Position = 0;
            using var archive = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: true);
            var entries = archive.Entries;
            if (entries.Count > limits.MaxEntries)
            {
                throw new InvalidDataException($"The archive has more than {limits.MaxEntries} entries.");
            }

            // Every name is checked before anything is read: a path is never handed out from a hostile archive.
            foreach (var entry in entries)
            {
                if (NameProblem(entry.FullName) is { } nameProblem)
                {
                    throw new InvalidDataException($"{Display(entry.FullName)}: {nameProblem}.");
                }
            }

            long total = 0;
            var overTotal = false;
            foreach (var entry in entries)
            {
                if (Kind(entry.FullName) is not { } kind)
                {
                    continue;
                }

                if (overTotal)
                {
                    yield return new UploadedFile(entry.FullName, kind, null, TotalError(limits));
                    continue;
                }

                if (entry.IsEncrypted)
                {
                    yield return new UploadedFile(entry.FullName, kind, null, "encrypted");
                    continue;
                }

                var (bytes, error) = ReadEntry(entry, limits.MaxFileBytes);
                total += bytes?.Length ?? limits.MaxFileBytes + 1;
                if (total > limits.MaxTotalUncompressedBytes)
                {
                    overTotal = true;
                    yield return new UploadedFile(entry.FullName, kind, null, TotalError(limits));
                    continue;
                }

                if (error is not null || bytes is null)
                {
                    yield return new UploadedFile(entry.FullName, kind, null, error);
                    continue;
                }

                var text = Decode(bytes);
                yield return text is null
                    ? new UploadedFile(entry.FullName, kind, null, "not UTF-8 text")
                    : new UploadedFile(entry.FullName, kind, text, null);
            }
        }
        finally
        {
            if (!ReferenceEquals(stream, zip))
            {
                stream.Dispose();
            }
        }
    }

    /// <summary>What is wrong with an entry name, or null. Names are later used as paths.</summary>
    internal static string? NameProblem(string name)
    {
        if (name.Contains('\0', StringComparison.Ordinal))
        {
            return "the name contains a NUL character";
        }

        if (name.Contains('\\', StringComparison.Ordinal))
        {
            return "the name contains a backslash";
        }

        if (name.StartsWith('/'))
        {
            return "the name is an absolute path";
        }

        if (name.Length >= 2 && char.IsAsciiLetter(name[0]) && name[1] == ':')
        {
            return "the name starts with a drive letter";
        }

        foreach (var segment in name.Split('/'))
        {
            if (segment == "..")
            {
                return "the name leads out of the archive (..)";
            }
        }

        foreach (var c in name)
        {
            if (char.IsControl(c))
            {
                return "the name contains a control character";
            }
        }

        return null;
    }

    /// <summary>The kind of a document entry, or null for entries that are skipped.</summary>
    private static ContentKind? Kind(string name)
    {
        if (name.EndsWith('/') || name.StartsWith("__MACOSX/", StringComparison.Ordinal))
        {
            return null;
        }

        foreach (var segment in name.Split('/'))
        {
            if (segment.StartsWith('.'))
            {
                return null;
            }
        }

        return ContentKinds.FromPath(name);
    }

    private static double Ratio(ZipArchiveEntry entry) =>
        entry.CompressedLength <= 0 ? double.PositiveInfinity : (double)entry.Length / entry.CompressedLength;

    /// <summary>
    /// At most <paramref name="maxBytes"/> decompressed bytes; one more means the entry is too large.
    /// The runtime stops at the declared size, so a lie about it shows up as a checksum mismatch.
    /// </summary>
    private static (byte[]? Bytes, string? Error) ReadEntry(ZipArchiveEntry entry, long maxBytes)
    {
        try
        {
            using var source = entry.Open();
            using var buffer = new MemoryStream();
            var chunk = new byte[81920];
            while (buffer.Length <= maxBytes)
            {
                var wanted = (int)Math.Min(chunk.Length, maxBytes + 1 - buffer.Length);
                var read = source.Read(chunk, 0, wanted);
                if (read == 0)
                {
                    var bytes = buffer.ToArray();
                    return Crc32.Compute(bytes) == entry.Crc32 ? (bytes, null) : (null, "damaged (checksum mismatch)");
                }

                buffer.Write(chunk, 0, read);
            }

            return (null, $"larger than {maxBytes} bytes");
        }
        catch (Exception e) when (e is InvalidDataException or NotSupportedException or IOException)
        {
            return (null, "could not be decompressed");
        }
    }

    private static string? Decode(byte[] bytes)
    {
        try
        {
            ReadOnlySpan<byte> span = bytes;
            if (span.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
            {
                return StrictUtf8.GetString(span[3..]);
            }

            if (span.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE]))
            {
                return new UnicodeEncoding(bigEndian: false, byteOrderMark: false, throwOnInvalidBytes: true).GetString(span[2..]);
            }

            if (span.StartsWith((ReadOnlySpan<byte>)[0xFE, 0xFF]))
            {
                return new UnicodeEncoding(bigEndian: true, byteOrderMark: false, throwOnInvalidBytes: true).GetString(span[2..]);
            }

            return StrictUtf8.GetString(span);
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
        catch (ArgumentException)
        {
            return null; // an odd number of bytes after a UTF-16 mark
        }
    }

    private static string TotalError(UploadLimits limits) =>
        $"not read: the archive's documents exceed {limits.MaxTotalUncompressedBytes} bytes in total";

    /// <summary>
    /// A seekable view of the upload (ZipArchive needs one), buffering a forward-only stream up to
    /// the archive limit; or why the upload is too large.
    /// </summary>
    private static (Stream Stream, string? Problem) Seekable(Stream zip, UploadLimits limits)
    {
        var tooLarge = $"The archive is larger than {limits.MaxArchiveBytes} bytes.";
        if (zip.CanSeek)
        {
            return zip.Length > limits.MaxArchiveBytes ? (zip, tooLarge) : (zip, null);
        }

        var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = zip.Read(chunk, 0, chunk.Length)) > 0)
        {
            buffer.Write(chunk, 0, read);
            if (buffer.Length > limits.MaxArchiveBytes)
            {
                buffer.Dispose();
                return (zip, tooLarge);
            }
        }

        buffer.Position = 0;
        return (buffer, null);
    }

    /// <summary>
    /// Total entries from the end-of-central-directory record (zip64 when it says 0xFFFF), or -1
    /// when there is none: ZipArchive then reports the archive as unreadable.
    /// </summary>
    private static long DeclaredEntryCount(Stream stream)
    {
        const int EndRecordSize = 22;
        const int MaxComment = ushort.MaxValue;
        if (stream.Length < EndRecordSize)
        {
            return -1;
        }

        var tailLength = (int)Math.Min(stream.Length, EndRecordSize + MaxComment);
        var tail = new byte[tailLength];
        stream.Position = stream.Length - tailLength;
        stream.ReadExactly(tail);
        for (var i = tailLength - EndRecordSize; i >= 0; i--)
        {
            if (BinaryPrimitives.ReadUInt32LittleEndian(tail.AsSpan(i)) != 0x06054B50)
            {
                continue;
            }

            var total = BinaryPrimitives.ReadUInt16LittleEndian(tail.AsSpan(i + 10));
            if (total != ushort.MaxValue || i < 20)
            {
                return total;
            }

            // Zip64: the locator just before the end record points at the zip64 end record.
            if (BinaryPrimitives.ReadUInt32LittleEndian(tail.AsSpan(i - 20)) == 0x07064B50)
            {
                var offset = BinaryPrimitives.ReadInt64LittleEndian(tail.AsSpan(i - 20 + 8));
                if (offset >= 0 && offset + 56 <= stream.Length)
                {
                    var record = new byte[56];
                    stream.Position = offset;
                    stream.ReadExactly(record);
                    if (BinaryPrimitives.ReadUInt32LittleEndian(record) == 0x06064B50)
                    {
                        return BinaryPrimitives.ReadInt64LittleEndian(record.AsSpan(32));
                    }
                }
            }

            return total;
        }

        return -1;
    }

    private static string Display(string name)
    {
        var printable = new StringBuilder(Math.Min(name.Length, 200));
        foreach (var c in name.Take(200))
        {
            printable.Append(char.IsControl(c) ? '?' : c);
        }

        return printable.ToString();
    }

    /// <summary>CRC-32 (IEEE), as zip uses, for checking what was decompressed.</summary>
    private static class Crc32
    {
        private static readonly uint[] Table = Build();

        public static uint Compute(ReadOnlySpan<byte> data)
        {
            var crc = uint.MaxValue;
            foreach (var b in data)
            {
                crc = Table[(crc ^ b) & 0xFF] ^ (crc >> 8);
            }

            return ~crc;
        }

        private static uint[] Build()
        {
            var table = new uint[256];
            for (uint i = 0; i < table.Length; i++)
            {
                var value = i;
                for (var bit = 0; bit < 8; bit++)
                {
                    value = (value & 1) != 0 ? 0xEDB88320 ^ (value >> 1) : value >> 1;
                }

                table[i] = value;
            }

            return table;
        }
    }
}
