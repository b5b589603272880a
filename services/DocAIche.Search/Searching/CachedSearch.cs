using System.Diagnostics.Metrics;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.Options;

namespace DocAIche.Search.Searching;

/// <summary>
/// Search through a two-level cache (this instance's memory, then Redis). The key holds the tenant,
/// the normalised query and its filters, and the fingerprint of every visible library's index
/// generation: any change to an index makes the entries computed before it unreachable within the
/// library view's lifetime (<see cref="SearchOptions.LibraryViewLifetime"/>), on
/// every instance. Concurrent identical misses on one instance compute once. With Redis down the
/// cache degrades to memory only.
/// </summary>
public sealed class CachedSearch(
    LibraryCatalog catalog, SearchEngine engine, HybridCache cache, IOptions<SearchOptions> options, IMeterFactory meters)
{
    private readonly Counter<long> _computed = meters.Create(SearchMetrics.MeterName).CreateCounter<long>("docaiche.search.computed", "{search}",
        "Searches computed rather than served from the cache");

    public async Task<SearchOutcome> SearchAsync(string tenant, SearchQuery query, CancellationToken cancellationToken)
    {
        var view = await catalog.VisibleAsync(tenant, cancellationToken);
        var (scope, refusal) = SearchScope.Resolve(tenant, view, query);
        if (scope is null)
        {
            return refusal!;
        }

        var entry = new HybridCacheEntryOptions { Expiration = options.Value.CacheExpiration, LocalCacheExpiration = options.Value.LocalCacheExpiration };
        var response = await cache.GetOrCreateAsync(
            Key(tenant, scope.View, query),
            (Engine: engine, Tenant: tenant, Scope: scope, Query: query, Computed: _computed),
            static async (state, token) =>
            {
                state.Computed.Add(1);
                return await state.Engine.SearchAsync(state.Tenant, state.Scope, state.Query, token);
            },
            entry,
            cancellationToken: cancellationToken);
        return new SearchOutcome.Found(response);
    }

    public static string Key(string tenant, LibraryView view, SearchQuery query)
    {
        var request = $"{QueryText.Normalise(query.Text)}\n{query.Library?.Trim().ToLowerInvariant()}\n{query.Version}\n{query.Limit}\n{query.MaxTokens}\n{query.Offset}";
        var hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(request)), 0, 16);
        return $"search:v1:{tenant}:{view.Fingerprint}:{hash}";
    }
}
