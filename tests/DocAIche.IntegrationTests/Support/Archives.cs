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

    /// <summary>Uploads a zip to an upload source, as a person's browser or script does (multipart, one file).</summary>
    public static async Task<HttpResponseMessage> UploadZipAsync(this HttpClient client, Guid sourceId, byte[] zip, string fileName = "docs.zip")
    {
        using var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(zip);
        file.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/zip");
        form.Add(file, "file", fileName);
        return await client.PostAsync($"/api/v1/sources/{sourceId}/uploads", form);
    }
}
