using System.Text.RegularExpressions;

namespace DocAIche.Search.Searching;

/// <summary>
/// The words a query uses for a library ("tailwind" for <c>tailwindcss</c>, "next" or "nextjs" for
/// <c>next.js</c>): a query without a library that names one is answered from it, and inside a
/// library, the words naming it carry no weight (every page of the library is about it).
/// </summary>
public static partial class LibraryNames
{
    private const int ShortestForm = 3;

    /// <summary>The library's name as people write it: whole, without separators, its parts, and without a js/css/py suffix.</summary>
    public static IReadOnlyList<string> Forms(string name)
    {
        var forms = new List<string>();
        void Add(string form)
        {
            if (form.Length >= ShortestForm && !forms.Contains(form))
            {
                forms.Add(form);
            }
        }

        var lower = name.Trim().ToLowerInvariant();
        var compact = string.Concat(lower.Where(char.IsLetterOrDigit));
        Add(compact);
        foreach (var part in Separators().Split(lower))
        {
            Add(part);
        }

        foreach (var suffix in (string[])["js", "css", "py"])
        {
            if (compact.EndsWith(suffix, StringComparison.Ordinal))
            {
                Add(compact[..^suffix.Length]);
            }
        }

        return forms;
    }

    /// <summary>The libraries the query names with a word of its own (a library with no default version cannot be searched by default).</summary>
    public static IReadOnlyList<VisibleLibrary> Named(string query, IEnumerable<VisibleLibrary> libraries)
    {
        var words = Words(query);
        if (words.Count == 0)
        {
            return [];
        }

        return [.. libraries.Where(l => l.DefaultVersion is not null && Forms(l.Name).Any(words.Contains))];
    }

    /// <summary>
    /// The query's words, lower case and compacted ("Next.js" is "nextjs"), each also joined with the
    /// next ("next js"). A word is what spaces and punctuation around words delimit: "python-multipart"
    /// is a package's name, not the word "python".
    /// </summary>
    private static HashSet<string> Words(string query)
    {
        var words = Whitespace().Split(query.ToLowerInvariant())
            .Select(w => string.Concat(w.Trim(TrimmedPunctuation).Where(char.IsLetterOrDigit)))
            .Where(w => w.Length > 0).ToList();
        var set = new HashSet<string>(words, StringComparer.Ordinal);
        for (var i = 0; i + 1 < words.Count; i++)
        {
            set.Add(words[i] + words[i + 1]);
        }

        return set;
    }

    private static readonly char[] TrimmedPunctuation = ['"', '\'', '`', '(', ')', '[', ']', '{', '}', ',', ';', ':', '!', '?', '.'];

    [GeneratedRegex(@"[^\p{L}\p{N}]+", RegexOptions.CultureInvariant)]
    private static partial Regex Separators();

    [GeneratedRegex(@"\s+", RegexOptions.CultureInvariant)]
    private static partial Regex Whitespace();
}
