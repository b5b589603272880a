using DocAIche.ServiceDefaults.Data;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using DocAIche.Search.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace DocAIche.Search.Searching;

/// <summary>A library the caller may search: their tenant's own, or one shared with every tenant.</summary>
public sealed record VisibleLibrary(
    Guid LibraryId, string TenantId, string Name, string? Description, bool Shared, string? DefaultVersion, List<string> Versions, long Generation);

/// <summary>The libraries a tenant can see, and one fingerprint of their index generations for cache keys.</summary>
public sealed record LibraryView(IReadOnlyList<VisibleLibrary> Libraries, string Fingerprint)
{
    /// <summary>
    /// The library a caller means: by id, or by name (their own tenant's first, then shared ones).
    /// </summary>
    public VisibleLibrary? Find(string tenant, string nameOrId)
    {
        var wanted = nameOrId.Trim();
        if (Guid.TryParse(wanted, out var id))
        {
            return Libraries.FirstOrDefault(l => l.LibraryId == id);
        }
        var matches = Libraries.Where(l => string.Equals(l.Name, wanted, StringComparison.OrdinalIgnoreCase)).ToList();
        return matches.FirstOrDefault(l => l.TenantId == tenant) ?? matches.OrderBy(l => l.LibraryId).FirstOrDefault();
    }

    /// <summary>This view narrowed to one library, with that library's own fingerprint.</summary>
    public LibraryView Only(VisibleLibrary library) => new([library], LibraryCatalog.Fingerprint([library]));

    /// <summary>This view narrowed to some of its libraries, with their own fingerprint.</summary>
    public LibraryView Only(IReadOnlyList<VisibleLibrary> libraries) => new(libraries, LibraryCatalog.Fingerprint(libraries));
}

public sealed class LibraryCatalog(SearchDbContext db, LibraryViews views)
{
    /// <summary>The libraries the tenant sees, read at most <see cref="SearchOptions.LibraryViewLifetime"/> ago.</summary>
    public async Task<LibraryView> VisibleAsync(string tenant, CancellationToken cancellationToken)
    {
        if (views.TryGet(tenant) is { } remembered)
        {
            return remembered;
        }

        var view = await ReadAsync(tenant, cancellationToken);
        views.Remember(tenant, view);
        return view;
    }

    private async Task<LibraryView> ReadAsync(string tenant, CancellationToken cancellationToken)
    {
        // Across tenants, then narrowed by hand: the caller's own libraries and every tenant's shared ones.
        var libraries = await db.IndexedLibraries.AsNoTracking().AcrossTenants()
            .Where(l => (l.TenantId == tenant || l.Shared) && !l.Deleted)
            .OrderBy(l => l.LibraryId)
            .Select(l => new VisibleLibrary(l.LibraryId, l.TenantId, l.Name, l.Description, l.Shared, l.DefaultVersion, l.Versions, l.Generation))
            .ToListAsync(cancellationToken);
        return new LibraryView(libraries, Fingerprint(libraries));
    }

    /// <summary>
    /// Changes whenever any visible library's index, sharing, name or default version changes, or a
    /// library appears or goes: part of every cache key, so a change makes old entries unreachable.
    /// </summary>
    internal static string Fingerprint(IReadOnlyList<VisibleLibrary> libraries)
    {
        var text = new StringBuilder();
        foreach (var library in libraries)
        {
            text.Append(library.LibraryId).Append(':').Append(library.Generation).Append(':').Append(library.Name)
                .Append(':').Append(library.DefaultVersion).Append(':').Append(library.Shared).Append(';');
        }
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())), 0, 12);
    }
}

/// <summary>
/// Each tenant's library view, kept for <see cref="SearchOptions.LibraryViewLifetime"/> (a second by
/// default): a search answered from the cache then costs no database round trip. A change to an
/// index (made by this instance or another, committed in the database) reaches searches within the
/// lifetime: a view read just before the commit can stand until it ends.
/// </summary>
public sealed class LibraryViews(IOptions<SearchOptions> options, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, (LibraryView View, long Until)> _views = new(StringComparer.Ordinal);

    public LibraryView? TryGet(string tenant) =>
        _views.TryGetValue(tenant, out var entry) && entry.Until > time.GetTimestamp() ? entry.View : null;

    public void Remember(string tenant, LibraryView view)
    {
        var lifetime = options.Value.LibraryViewLifetime;
        if (lifetime > TimeSpan.Zero)
        {
            _views[tenant] = (view, time.GetTimestamp() + (long)(lifetime.TotalSeconds * time.TimestampFrequency));
        }
    }
}
