using System.IO.Compression;

namespace DocAIche.IntegrationTests.Support;

public static class Archives
{
    /// <summary>A zip of the given files (path, text), as an upload source takes it.</summary>
    public static byte[] Zip(params (string Path, string Content)[] entries)
    {
        using var buffer = new MemoryStream();
        using (var archive = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (path, content) in entries)
            {
                using var writer = new StreamWriter(archive.CreateEntry(path).Open());
                writer.Write(content);
            }
        }
        return buffer.ToArray();
    }
}
