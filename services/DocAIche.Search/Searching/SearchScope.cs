namespace DocAIche.Search.Searching;

/// <summary>
/// What one search covers, resolved once per request: the library and version asked for (a library
/// without a version means its default version), the libraries the query names, or every visible
/// library at its default version.
/// </summary>
/// <param name="Library">The library asked for (or the one library the query names); null when the search covers several.</param>
/// <param name="Version">The version that answers for <paramref name="Library"/>.</param>
/// <param name="Targets">Each library searched, with the one version of it that is searched (never a mix).</param>
/// <param name="View">The visible libraries this scope covers; its fingerprint keys the cache.</param>
public sealed record SearchScope(VisibleLibrary? Library, string? Version, IReadOnlyList<(VisibleLibrary Library, string Version)> Targets, LibraryView View)
{
    /// <summary>The scope of <paramref name="query"/> among the libraries the caller sees, or why there is none.</summary>
    public static (SearchScope? Scope, SearchOutcome? Refusal) Resolve(string tenant, LibraryView view, SearchQuery query)
    {
        if (query.Library is null)
        {
            // "vite config proxy", "flexbox vs grid in tailwind": a query that names libraries is
            // answered from them; the largest library no longer crowds out the one meant.
            var named = LibraryNames.Named(query.Text, view.Libraries);
            if (named.Count > 0)
            {
                var only = named.Count == 1 ? named[0] : null;
                return (new SearchScope(only, only?.DefaultVersion, [.. named.Select(l => (l, l.DefaultVersion!))], view.Only(named)), null);
            }

            return (new SearchScope(null, null, [.. view.Libraries.Where(l => l.DefaultVersion is not null).Select(l => (l, l.DefaultVersion!))], view), null);
        }
        var library = view.Find(tenant, query.Library);
        if (library is null)
        {
            return (null, new SearchOutcome.UnknownLibrary(query.Library));
        }
        var version = query.Version ?? library.DefaultVersion;
        if (version is null || !library.Versions.Contains(version))
        {
            return (null, new SearchOutcome.UnknownVersion(library.Name, query.Version ?? "(default)", library.Versions));
        }
        // Only this library's index generation belongs in the cache key: indexing another leaves its entries alone.
        return (new SearchScope(library, version, [(library, version)], view.Only(library)), null);
    }
}
