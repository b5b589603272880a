namespace DocAIche.Search.Searching;

/// <summary>A library that matches a name, with its versions: the step before searching one.</summary>
/// <param name="LibraryId">Pass as <c>library</c> to search.</param>
/// <param name="Name">The library's name.</param>
/// <param name="Description">What it is.</param>
/// <param name="Shared">Shared by another tenant (or yours) with every tenant.</param>
/// <param name="Own">Your tenant's own library.</param>
/// <param name="DefaultVersion">The version a search without one answers from.</param>
/// <param name="Versions">Every version it has.</param>
/// <param name="Score">How well the name matched, 0 to 1.</param>
public sealed record ResolvedLibrary(
    Guid LibraryId, string Name, string? Description, bool Shared, bool Own, string? DefaultVersion, IReadOnlyList<string> Versions, double Score);

/// <summary>
/// Fuzzy matching of a library name against the libraries a caller can see: exact, prefix and
/// substring matches first, then trigram and edit-distance similarity (typos, separators, word order).
/// </summary>
public static class LibraryResolver
{
    public const double Threshold = 0.35;

    public static IReadOnlyList<ResolvedLibrary> Resolve(string tenant, IEnumerable<VisibleLibrary> libraries, string name, int limit) =>
        [.. libraries
            .Select(l => (Library: l, Score: Math.Round(Score(l.Name, l.Description, name), 3)))
            .Where(m => m.Score >= Threshold)
            .OrderByDescending(m => m.Score).ThenByDescending(m => m.Library.TenantId == tenant).ThenBy(m => m.Library.Name, StringComparer.OrdinalIgnoreCase)
            .Take(limit)
            .Select(m => new ResolvedLibrary(m.Library.LibraryId, m.Library.Name, m.Library.Description, m.Library.Shared, m.Library.TenantId == tenant,
                m.Library.DefaultVersion, m.Library.Versions, m.Score))];

    public static double Score(string libraryName, string? description, string wanted)
    {
        var name = Compact(libraryName);
        var query = Compact(wanted);
        if (query.Length == 0 || name.Length == 0)
        {
            return 0;
        }
        if (name == query)
        {
            return 1;
        }
        if (name.StartsWith(query, StringComparison.Ordinal) || query.StartsWith(name, StringComparison.Ordinal))
        {
            return 0.8 + 0.15 * Math.Min(name.Length, query.Length) / Math.Max(name.Length, query.Length);
        }
        if (name.Contains(query, StringComparison.Ordinal) || query.Contains(name, StringComparison.Ordinal))
        {
            return 0.65 + 0.15 * Math.Min(name.Length, query.Length) / Math.Max(name.Length, query.Length);
        }
        var similarity = Math.Max(Trigrams(name, query), 1.0 - (double)Distance(name, query) / Math.Max(name.Length, query.Length));
        var score = 0.75 * similarity;
        // A word of the query in the description helps a little ("python http client" finds "Harbormaster").
        if (description is not null)
        {
            var words = wanted.Split([' ', '-', '_', '.', '/'], StringSplitOptions.RemoveEmptyEntries).Where(w => w.Length > 2).ToList();
            if (words.Count > 0)
            {
                var found = words.Count(w => description.Contains(w, StringComparison.OrdinalIgnoreCase));
                score += 0.3 * found / words.Count;
            }
        }
        return Math.Min(score, 0.79);
    }

    /// <summary>Lower case letters and digits only: "Next.js", "next-js" and "nextjs" are one name.</summary>
    private static string Compact(string text) =>
        string.Concat(text.Where(char.IsLetterOrDigit)).ToLowerInvariant();

    /// <summary>Jaccard similarity of padded character trigrams, as pg_trgm computes it.</summary>
    private static double Trigrams(string a, string b)
    {
        static HashSet<string> Of(string s)
        {
            var padded = $"  {s} ";
            var set = new HashSet<string>(StringComparer.Ordinal);
            for (var i = 0; i + 3 <= padded.Length; i++)
            {
                set.Add(padded.Substring(i, 3));
            }
            return set;
        }
        var x = Of(a);
        var y = Of(b);
        var shared = x.Count(y.Contains);
        return (double)shared / (x.Count + y.Count - shared);
    }

    /// <summary>Optimal string alignment distance (Levenshtein plus adjacent transpositions).</summary>
    private static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }
        for (var j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }
        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
                }
            }
        }
        return d[a.Length, b.Length];
    }
}
