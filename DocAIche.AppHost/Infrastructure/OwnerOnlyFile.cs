namespace DocAIche.AppHost.Infrastructure;

/// <summary>Writes files that hold secrets: created readable and writable by the owner only.</summary>
internal static class OwnerOnlyFile
{
    public static string Write(string path, string content)
    {
        if (OperatingSystem.IsWindows())
        {
            File.WriteAllText(path, content);
            return path;
        }

        // Replaced, not rewritten in place, so an existing file's wider mode never applies.
        File.Delete(path);
        using var stream = new FileStream(path, new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        });
        using var writer = new StreamWriter(stream);
        writer.Write(content);
        return path;
    }
}
