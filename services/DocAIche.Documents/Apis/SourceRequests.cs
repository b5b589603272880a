using DocAIche.ServiceDefaults.Networking;
using System.Text.RegularExpressions;
using DocAIche.Documents.Crawling;
using DocAIche.Documents.Fetching;
using DocAIche.Documents.Ingestion;
using DocAIche.Documents.Model;

namespace DocAIche.Documents.Apis;

/// <summary>A Git repository to read.</summary>
/// <param name="Url">HTTPS (or HTTP) clone URL, without credentials.</param>
/// <param name="Ref">Branch, tag or full commit id; the default branch when empty.</param>
/// <param name="Include">Path globs to read (default: Markdown, MDX, reStructuredText, text and HTML files).</param>
/// <param name="Exclude">Path globs to skip.</param>
/// <param name="Token">Access token for a private repository; stored encrypted, never shown again.</param>
public sealed record GitSourceRequest(string? Url, string? Ref = null, IReadOnlyList<string>? Include = null, IReadOnlyList<string>? Exclude = null, string? Token = null);

/// <summary>A documentation website to crawl.</summary>
/// <param name="StartUrls">Where the crawl starts; it stays on their sites and under their folders.</param>
/// <param name="SitemapUrl">A sitemap to read; by default the ones robots.txt names, else /sitemap.xml.</param>
/// <param name="Include">URL path globs to crawl.</param>
/// <param name="Exclude">URL path globs to skip.</param>
/// <param name="UseDefaultExcludes">Skip translated copies, changelogs, blogs and the like (default true).</param>
/// <param name="MaxPages">At most this many pages (default 500).</param>
/// <param name="MaxDepth">At most this many links from a start URL (default 5).</param>
/// <param name="Concurrency">Requests in flight at once, 1 to 8 (default 2).</param>
/// <param name="DelayMilliseconds">Pause between requests (default 250); robots.txt's Crawl-delay wins when longer.</param>
public sealed record WebsiteSourceRequest(
    IReadOnlyList<string>? StartUrls, string? SitemapUrl = null, IReadOnlyList<string>? Include = null, IReadOnlyList<string>? Exclude = null,
    bool UseDefaultExcludes = true, int MaxPages = 500, int MaxDepth = 5, int Concurrency = 2, int DelayMilliseconds = 250);

/// <summary>A source to create: exactly one of <c>git</c> or <c>website</c> for those kinds, neither for uploads.</summary>
/// <param name="Kind">git, website or upload.</param>
/// <param name="Git">Repository settings.</param>
/// <param name="Website">Website settings.</param>
/// <param name="Schedule">Cron expression (UTC) for scheduled refreshes, for example <c>0 3 * * *</c>.</param>
public sealed record CreateSourceRequest(string? Kind, GitSourceRequest? Git = null, WebsiteSourceRequest? Website = null, string? Schedule = null);

/// <summary>Changes to a source; a settings object given replaces the current one (a Git token is kept unless a new one or <c>removeToken</c> is given).</summary>
public sealed record UpdateSourceRequest(GitSourceRequest? Git = null, WebsiteSourceRequest? Website = null, string? Schedule = null, bool RemoveSchedule = false, bool RemoveToken = false);

/// <summary>A document to store directly in an upload source.</summary>
/// <param name="Path">Its path in the source, for example <c>guides/intro.md</c>; storing the same path again replaces it.</param>
/// <param name="Content">The text.</param>
/// <param name="Format">markdown, mdx, html, text or rst; by default from the path's extension, else markdown.</param>
/// <param name="Title">Overrides the title found in the text.</param>
/// <param name="Url">Where people read it.</param>
public sealed record StoreDocumentRequest(string? Path, string? Content, string? Format = null, string? Title = null, string? Url = null);

internal static partial class SourceValidation
{
    private const int MaxPatterns = 50;
    private const int MaxPatternLength = 300;

    [GeneratedRegex("^[A-Za-z0-9._/+-]{1,255}$")]
    private static partial Regex RefName();

    /// <summary>The settings a create or update request gives, checked for a source of <paramref name="kind"/> (null: unknown kind).</summary>
    public static void Settings(
        SourceKind? kind, GitSourceRequest? git, WebsiteSourceRequest? website, string? schedule, GuardedNetwork network, CrawlerOptions crawler,
        Dictionary<string, string[]> errors)
    {
        if (git is not null)
        {
            Git(git, network, errors);
        }
        if (website is not null)
        {
            Website(website, network, crawler, errors);
        }
        Schedule(schedule, errors);
        if (kind == SourceKind.Upload && schedule is not null)
        {
            errors["schedule"] = ["Upload sources have no schedule."];
        }
    }

    public static void Git(GitSourceRequest git, GuardedNetwork network, Dictionary<string, string[]> errors)
    {
        Url("git.url", git.Url, network, errors);
        if (!string.IsNullOrWhiteSpace(git.Ref) && (!RefName().IsMatch(git.Ref.Trim()) || git.Ref.Trim().StartsWith('-') || git.Ref.Contains("..", StringComparison.Ordinal)))
        {
            errors["git.ref"] = ["A ref is a branch, tag or commit name: letters, digits, '.', '_', '/', '+', '-', not starting with '-'."];
        }
        Patterns("git.include", git.Include, errors);
        Patterns("git.exclude", git.Exclude, errors);
        if (git.Token is { } token && (token.Length is 0 or > 1000 || token.Any(char.IsControl) || token.Any(char.IsWhiteSpace)))
        {
            errors["git.token"] = ["A token is 1 to 1,000 characters without spaces or control characters."];
        }
    }

    public static void Website(WebsiteSourceRequest website, GuardedNetwork network, CrawlerOptions crawler, Dictionary<string, string[]> errors)
    {
        if (website.StartUrls is not { Count: > 0 and <= 20 })
        {
            errors["website.startUrls"] = ["Give 1 to 20 start URLs."];
        }
        else
        {
            foreach (var url in website.StartUrls)
            {
                Url("website.startUrls", url, network, errors);
            }
        }
        if (website.SitemapUrl is not null)
        {
            Url("website.sitemapUrl", website.SitemapUrl, network, errors);
        }
        Patterns("website.include", website.Include, errors);
        Patterns("website.exclude", website.Exclude, errors);
        if (website.MaxPages < 1 || website.MaxPages > crawler.MaxPagesLimit)
        {
            errors["website.maxPages"] = [$"Between 1 and {crawler.MaxPagesLimit}."];
        }
        if (website.MaxDepth is < 0 or > 20)
        {
            errors["website.maxDepth"] = ["Between 0 and 20."];
        }
        if (website.Concurrency is < 1 or > 8)
        {
            errors["website.concurrency"] = ["Between 1 and 8."];
        }
        if (website.DelayMilliseconds is < 0 or > 60_000)
        {
            errors["website.delayMilliseconds"] = ["Between 0 and 60,000."];
        }
    }

    public static void Schedule(string? schedule, Dictionary<string, string[]> errors)
    {
        if (schedule is not null && (schedule.Length > 100 || SourceScheduler.Problem(schedule) is not null))
        {
            errors["schedule"] = [schedule.Length > 100 ? "The schedule is longer than 100 characters." : SourceScheduler.Problem(schedule)!];
        }
    }

    private static void Url(string field, string? value, GuardedNetwork network, Dictionary<string, string[]> errors)
    {
        if (string.IsNullOrWhiteSpace(value) || value.Length > Document.SourceUrlMaxLength ||
            !Uri.TryCreate(value.Trim(), UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttps && url.Scheme != Uri.UriSchemeHttp))
        {
            errors[field] = ["An absolute http or https URL of at most 2,048 characters is required."];
            return;
        }
        if (url.UserInfo.Length > 0)
        {
            errors[field] = ["URLs may not carry credentials; give a Git token in git.token instead."];
            return;
        }
        if (network.LiteralRefusal(url) is { } refusal)
        {
            errors[field] = [refusal];
        }
    }

    private static void Patterns(string field, IReadOnlyList<string>? patterns, Dictionary<string, string[]> errors)
    {
        if (patterns is null)
        {
            return;
        }
        if (patterns.Count > MaxPatterns || patterns.Any(p => string.IsNullOrWhiteSpace(p) || p.Length > MaxPatternLength))
        {
            errors[field] = [$"At most {MaxPatterns} non-empty patterns of at most {MaxPatternLength} characters."];
        }
    }

    public static GitSettings ToSettings(GitSourceRequest git) => new()
    {
        Url = git.Url!.Trim(),
        Ref = string.IsNullOrWhiteSpace(git.Ref) ? null : git.Ref.Trim(),
        Include = [.. git.Include ?? []],
        Exclude = [.. git.Exclude ?? []],
    };

    public static WebsiteSettings ToSettings(WebsiteSourceRequest website) => new()
    {
        StartUrls = [.. website.StartUrls!.Select(u => u.Trim())],
        SitemapUrl = website.SitemapUrl?.Trim(),
        Include = [.. website.Include ?? []],
        Exclude = [.. website.Exclude ?? []],
        UseDefaultExcludes = website.UseDefaultExcludes,
        MaxPages = website.MaxPages,
        MaxDepth = website.MaxDepth,
        Concurrency = website.Concurrency,
        DelayMilliseconds = website.DelayMilliseconds,
    };
}
