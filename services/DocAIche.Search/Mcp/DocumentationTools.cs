using DocAIche.ServiceDefaults.Data;
using DocAIche.Search.History;
using System.ComponentModel;
using System.Diagnostics;
using DocAIche.Search.Model;
using DocAIche.Search.Apis;
using DocAIche.Search.Infrastructure;
using DocAIche.Search.Searching;
using DocAIche.ServiceDefaults.Authentication;
using Microsoft.EntityFrameworkCore;
using ModelContextProtocol;
using ModelContextProtocol.Server;

namespace DocAIche.Search.Mcp;

/// <summary>A page put back together from its chunks.</summary>
public sealed record DocumentText(Guid DocumentId, string Library, string Version, string Title, string? Url, string Content, int Tokens, bool Truncated);

/// <summary>
/// The tools coding agents call over MCP (<c>/mcp</c>, streamable HTTP). They answer with the same
/// search, resolution and scoping as the REST API: the caller's tenant plus shared libraries.
/// </summary>
[McpServerToolType]
public sealed class DocumentationTools(IHttpContextAccessor http, LibraryCatalog catalog, CachedSearch searches, QueryHistory history, SearchQuota quota, SearchDbContext db)
{
    private string Tenant => (http.HttpContext ?? throw new InvalidOperationException("MCP tools run within an HTTP request.")).User.GetTenantId();

    [McpServerTool(Name = "resolve_library", ReadOnly = true, Idempotent = true, OpenWorld = false)]
    [Description("Finds documentation libraries by name (fuzzy: typos and separators do not matter) and lists their versions. Call it first to learn the exact library name and versions to pass to search_docs.")]
    public async Task<ResolveResponse> ResolveLibrary(
        [Description("The library's name, as you know it, e.g. 'nextjs' or 'Next.js'.")] string name,
        CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(name) || name.Length > 100)
        {
            throw new McpException("Give a library name of 1 to 100 characters.");
        }
        var started = Stopwatch.GetTimestamp();
        var tenant = Tenant;
        var view = await catalog.VisibleAsync(tenant, cancellationToken);
        var resolved = new ResolveResponse(name.Trim(), LibraryResolver.Resolve(tenant, view.Libraries, name, 10));
        Metered(MeteredOperations.ResolveLibrary, name.Trim(), null, null, resolved.Libraries.Count, 0, started);
        return resolved;
    }

    [McpServerTool(Name = "search_docs", ReadOnly = true, Idempotent = true, OpenWorld = false)]
    [Description("Searches documentation by keywords and meaning. Returns the best sections, each with library, version, title, breadcrumb, URL and text. Give a library (and version) for the right version every time; maxTokens caps the text returned.")]
    public async Task<SearchResponse> SearchDocs(
        [Description("What you are looking for: a question, an API name or keywords.")] string query,
        [Description("A library name or id from resolve_library; omit to search every library.")] string? library = null,
        [Description("The library's version; omit for its default version. The response says which version answered.")] string? version = null,
        [Description("The most text to return, in tokens (about 4 characters each). Default 4000.")] int? maxTokens = 4000,
        [Description("Results per page, 1 to 50. Default 5.")] int? limit = 5,
        [Description("nextCursor from a previous call, for the next page.")] string? cursor = null,
        CancellationToken cancellationToken = default)
    {
        var errors = SearchApi.Validate(new SearchRequest(query, library, version, limit, maxTokens, cursor), out var checkedQuery);
        if (errors.Count > 0)
        {
            throw new McpException(string.Join(" ", errors.SelectMany(e => e.Value)));
        }
        if (await quota.SpendAsync(Tenant, cancellationToken) is { } spent)
        {
            throw new McpException(spent.Message);
        }
        var started = Stopwatch.GetTimestamp();
        return await searches.SearchAsync(Tenant, checkedQuery, cancellationToken) switch
        {
            SearchOutcome.Found found => Recorded(found.Response, Stopwatch.GetElapsedTime(started)),
            SearchOutcome.UnknownLibrary unknown => throw new McpException($"No library named '{unknown.Library}'. Call resolve_library to find it."),
            SearchOutcome.UnknownVersion unknown => throw new McpException(
                $"Library '{unknown.Library}' has no version '{unknown.Version}'. Its versions: {string.Join(", ", unknown.Versions)}."),
            _ => throw new McpException("The search failed."),
        };
    }

    private SearchResponse Recorded(SearchResponse response, TimeSpan took)
    {
        history.Record(http.HttpContext!.User, response, "mcp", took);
        return response;
    }

    [McpServerTool(Name = "get_document", ReadOnly = true, Idempotent = true, OpenWorld = false)]
    [Description("Returns a whole documentation page (Markdown) by the documentId a search result gave, up to maxTokens.")]
    public async Task<DocumentText> GetDocument(
        [Description("The documentId of a search result.")] string documentId,
        [Description("The most text to return, in tokens. Default 8000.")] int? maxTokens = 8000,
        CancellationToken cancellationToken = default)
    {
        var started = Stopwatch.GetTimestamp();
        if (!Guid.TryParse(documentId, out var id))
        {
            throw new McpException("documentId is the GUID a search result gave.");
        }
        if (maxTokens is < 1 or > SearchApi.MaxTokenBudget)
        {
            throw new McpException($"maxTokens is between 1 and {SearchApi.MaxTokenBudget}.");
        }
        var tenant = Tenant;
        var view = await catalog.VisibleAsync(tenant, cancellationToken);
        var visible = view.Libraries.Select(l => l.LibraryId).ToList();
        // Across tenants, then narrowed by hand to the libraries the caller sees (shared ones included).
        var chunks = await db.IndexedChunks.AsNoTracking().AcrossTenants()
            .Where(c => c.DocumentId == id && visible.Contains(c.LibraryId))
            .OrderBy(c => c.Ordinal)
            .Select(c => new { c.LibraryId, c.Version, c.Title, c.Url, c.Content })
            .ToListAsync(cancellationToken);
        if (chunks.Count == 0)
        {
            throw new McpException("No document with that id is visible to you.");
        }
        // Chunks overlap a little; joined in order they read as the page.
        var content = string.Join("\n\n", chunks.Select(c => c.Content));
        var budget = maxTokens ?? 8000;
        var cut = Tokens.Cut(content, budget);
        var first = chunks[0];
        var url = first.Url is null ? null : first.Url.Split('#')[0];
        var name = view.Libraries.First(l => l.LibraryId == first.LibraryId).Name;
        var text = new DocumentText(id, name, first.Version, first.Title, url, cut, Tokens.Estimate(cut), cut.Length < content.Length);
        Metered(MeteredOperations.GetDocument, id.ToString(), name, first.Version, 1, text.Tokens, started);
        return text;
    }

    [McpServerTool(Name = "list_libraries", ReadOnly = true, Idempotent = true, OpenWorld = false)]
    [Description("Lists every documentation library you can search (your organisation's and shared ones) with its versions.")]
    public async Task<IReadOnlyList<ResolvedLibrary>> ListLibraries(CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var tenant = Tenant;
        var view = await catalog.VisibleAsync(tenant, cancellationToken);
        IReadOnlyList<ResolvedLibrary> listed = [.. view.Libraries.OrderBy(l => l.Name, StringComparer.OrdinalIgnoreCase)
            .Select(l => new ResolvedLibrary(l.LibraryId, l.Name, l.Description, l.Shared, l.TenantId == tenant, l.DefaultVersion, l.Versions, 1))];
        Metered(MeteredOperations.ListLibraries, "", null, null, listed.Count, 0, started);
        return listed;
    }

    /// <summary>Every tool call is metered (usage reports count MCP tool calls), off the request path like searches.</summary>
    private void Metered(string operation, string query, string? library, string? version, int results, int tokens, long started) =>
        history.RecordCall(http.HttpContext!.User, operation, "mcp", query, library, version, results, tokens, Stopwatch.GetElapsedTime(started));
}
