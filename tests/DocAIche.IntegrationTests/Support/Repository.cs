namespace DocAIche.IntegrationTests.Support;

/// <summary>Files of the repository the tests run from (scripts, manifests), found above the test's folder.</summary>
public static class Repository
{
    public static string PathOf(params string[] parts)
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var path = Path.Combine([directory.FullName, .. parts]);
            if (File.Exists(path))
            {
                return path;
            }
        }
        throw new FileNotFoundException($"{Path.Combine(parts)} was not found above {AppContext.BaseDirectory}.");
    }
}
