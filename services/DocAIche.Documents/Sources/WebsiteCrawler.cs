using DocAIche.ServiceDefaults.Networking;
using System.Net;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text;
using System.Threading.Channels;
using DocAIche.Documents.Crawling;
using DocAIche.Documents.Fetching;
using DocAIche.Documents.Model;
using DocAIche.Documents.Processing;
using Microsoft.Extensions.Options;

namespace DocAIche.Documents.Sources;

/// <summary>
/// Crawls a documentation website: robots.txt first (obeyed, its Crawl-delay honoured), then the
/// start URLs, the sitemap and llms.txt links as seeds, then links breadth-first within the site and
/// path prefix, the include/exclude patterns, and the page and depth limits. Requests are polite
/// (a fixed number in flight, a pause between them), conditional when a stored copy has validators,
/// and every hop of a redirect is checked by the network guard before it is followed.
/// </summary>
internal sealed class WebsiteCrawler(GuardedNetwork network, IOptions<CrawlerOptions> options, TimeProvider time)
    : ISourceReader
{
    private const int MaxSitemaps = 20;

    public SourceKind Kind => SourceKind.Website;

    public async IAsyncEnumerable<SourceItem> ReadAsync(SourceReading reading, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var settings = reading.Source.Website ?? throw new IngestionFailedException("The source has no website settings.");
        var crawl = new Crawl(network, options.Value, time, reading, settings);
        await crawl.PrepareAsync(cancellationToken);

        var output = Channel.CreateBounded<SourceItem>(new BoundedChannelOptions(32) { SingleReader = true });
        var producer = Task.Run(async () =>
        {
            try
            {
                await crawl.RunAsync(output.Writer, cancellationToken);
                output.Writer.TryComplete();
            }
            catch (Exception e)
            {
                output.Writer.TryComplete(e);
            }
        }, cancellationToken);

        await foreach (var item in output.Reader.ReadAllAsync(cancellationToken))
        {
            yield return item;
        }
        await producer;
    }

    /// <summary>A fetched response, or why there is none.</summary>
    private sealed record Fetched(Uri Url, HttpStatusCode Status, string? MediaType, string? Text, string? ETag, string? LastModified, string? Error, string? SkipReason);

    /// <summary>One crawl's state.</summary>
    private sealed class Crawl(GuardedNetwork network, CrawlerOptions limits, TimeProvider time, SourceReading reading, WebsiteSettings settings)
    {
        private readonly List<Uri> starts = settings.StartUrls.Select(u => Canonical(new Uri(u))).ToList();
        private readonly UrlPatterns patterns = new(settings.Include, settings.Exclude, settings.UseDefaultExcludes);
        private readonly HashSet<string> queued = new(StringComparer.Ordinal);
        private readonly HashSet<string> emitted = new(StringComparer.Ordinal);
        private readonly Lock gate = new();
        private readonly Channel<(Uri Url, int Depth)> frontier = Channel.CreateUnbounded<(Uri, int)>();
        private RobotsRules robots = RobotsRules.AllowAll;
        private TimeSpan delay;
        private DateTimeOffset nextRequest;
        private int pending;
        private readonly List<(Uri Url, int Depth)> seeds = [];

        private int MaxPages => Math.Min(settings.MaxPages, limits.MaxPagesLimit);

        public async Task PrepareAsync(CancellationToken cancellationToken)
        {
            var origin = new Uri(starts[0].GetLeftPart(UriPartial.Authority) + "/");
            var robotsUrl = new Uri(origin, "/robots.txt");
            var fetched = await FetchAsync(robotsUrl, known: null, checkScope: false, cancellationToken);
            if (fetched.Status is >= HttpStatusCode.InternalServerError || fetched.Error is not null)
            {
                // RFC 9309: an unreachable robots.txt means the whole site is off limits for now.
                throw new IngestionFailedException($"robots.txt could not be read ({fetched.Error ?? ((int)fetched.Status).ToString(System.Globalization.CultureInfo.InvariantCulture)}); the site is not crawled.");
            }
            if (fetched.Status == HttpStatusCode.OK && fetched.Text is { } text)
            {
                robots = RobotsRules.Parse(text, "DocAIche", robotsUrl);
            }
            delay = TimeSpan.FromMilliseconds(settings.DelayMilliseconds);
            if (robots.CrawlDelay is { } crawlDelay && crawlDelay > delay)
            {
                delay = crawlDelay < limits.MaxCrawlDelay ? crawlDelay : limits.MaxCrawlDelay;
            }

            if (reading.OnlyKeys is { } only)
            {
                // A retry reads just the pages that failed, without following their links.
                foreach (var key in only)
                {
                    if (Uri.TryCreate(key, UriKind.Absolute, out var page))
                    {
                        seeds.Add((page, settings.MaxDepth));
                    }
                }
                return;
            }
            foreach (var start in starts)
            {
                seeds.Add((start, 0));
            }
            await AddSitemapSeedsAsync(origin, cancellationToken);
            await AddLlmsTxtSeedsAsync(cancellationToken);
        }

        private async Task AddSitemapSeedsAsync(Uri origin, CancellationToken cancellationToken)
        {
            var sitemaps = new Queue<Uri>();
            if (settings.SitemapUrl is { } configured)
            {
                sitemaps.Enqueue(new Uri(configured));
            }
            else if (robots.Sitemaps.Count > 0)
            {
                foreach (var sitemap in robots.Sitemaps)
                {
                    sitemaps.Enqueue(sitemap);
                }
            }
            else
            {
                sitemaps.Enqueue(new Uri(origin, "/sitemap.xml"));
            }

            var read = 0;
            while (sitemaps.TryDequeue(out var sitemapUrl) && read++ < MaxSitemaps)
            {
                var fetched = await FetchAsync(sitemapUrl, known: null, checkScope: false, cancellationToken);
                if (fetched.Status != HttpStatusCode.OK || fetched.Text is null)
                {
                    continue;
                }
                var sitemap = SitemapDocument.Parse(fetched.Text);
                foreach (var page in sitemap.Pages)
                {
                    seeds.Add((page, 0));
                }
                foreach (var nested in sitemap.Sitemaps)
                {
                    sitemaps.Enqueue(nested);
                }
            }
        }

        private async Task AddLlmsTxtSeedsAsync(CancellationToken cancellationToken)
        {
            var candidates = new[] { new Uri(starts[0], "/llms.txt"), new Uri(Prefix(starts[0]), "llms.txt") }.Distinct();
            foreach (var llms in candidates)
            {
                var fetched = await FetchAsync(llms, known: null, checkScope: false, cancellationToken);
                if (fetched.Status == HttpStatusCode.OK && fetched.Text is { } text && fetched.MediaType is not "text/html")
                {
                    foreach (var link in MarkdownLinks.Extract(text, llms))
                    {
                        seeds.Add((link, 0));
                    }
                }
            }
        }

        public async Task RunAsync(ChannelWriter<SourceItem> output, CancellationToken cancellationToken)
        {
            foreach (var (url, depth) in seeds)
            {
                Enqueue(url, depth);
            }
            if (Volatile.Read(ref pending) == 0)
            {
                frontier.Writer.TryComplete();
            }
            var workers = Enumerable.Range(0, Math.Clamp(settings.Concurrency, 1, 16)).Select(_ => WorkAsync(output, cancellationToken));
            await Task.WhenAll(workers);
        }

        private void Enqueue(Uri url, int depth)
        {
            url = Canonical(url);
            if (depth > settings.MaxDepth || !InScope(url) || !patterns.Allows(url))
            {
                return;
            }
            lock (gate)
            {
                if (queued.Count >= MaxPages || !queued.Add(url.AbsoluteUri))
                {
                    return;
                }
            }
            if (!robots.IsAllowed(url))
            {
                // Seen, so that it counts as left out on purpose, but never requested.
                reading.Skip();
                return;
            }
            Interlocked.Increment(ref pending);
            reading.Discover();
            frontier.Writer.TryWrite((url, depth));
        }

        private async Task WorkAsync(ChannelWriter<SourceItem> output, CancellationToken cancellationToken)
        {
            await foreach (var (url, depth) in frontier.Reader.ReadAllAsync(cancellationToken))
            {
                try
                {
                    var item = await VisitAsync(url, depth, cancellationToken);
                    if (item is not null)
                    {
                        await output.WriteAsync(item, cancellationToken);
                    }
                }
                finally
                {
                    if (Interlocked.Decrement(ref pending) == 0)
                    {
                        frontier.Writer.TryComplete();
                    }
                }
            }
        }

        private async Task<SourceItem?> VisitAsync(Uri url, int depth, CancellationToken cancellationToken)
        {
            reading.Known.TryGetValue(url.AbsoluteUri, out var known);
            var fetched = await FetchAsync(url, known, checkScope: true, cancellationToken);
            var key = fetched.Url.AbsoluteUri;
            if (fetched.Error is { } error)
            {
                return SourceItem.Failure(url.AbsoluteUri, error, url.AbsoluteUri);
            }
            if (fetched.SkipReason is not null)
            {
                reading.Skip();
                return null;
            }
            if (fetched.Status == HttpStatusCode.NotModified)
            {
                // Not modified: its links are the ones stored with it.
                foreach (var link in known?.Links ?? [])
                {
                    if (Uri.TryCreate(link, UriKind.Absolute, out var stored))
                    {
                        Enqueue(stored, depth + 1);
                    }
                }
                return Claim(key) ? new SourceItem(key) { NotModified = true, Url = key, ETag = known?.ETag, LastModified = known?.LastModified } : null;
            }

            var kind = ContentKinds.FromMediaType(fetched.MediaType) ?? ContentKind.Html;
            NormalisedDocument document;
            try
            {
                document = DocumentNormaliser.Normalise(fetched.Text!, kind, fetched.Url.AbsolutePath, fetched.Url);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                return SourceItem.Failure(key, $"The page could not be converted ({e.GetType().Name}).", key);
            }

            foreach (var link in document.Links)
            {
                Enqueue(link, depth + 1);
            }

            // The site's canonical URL names the page, so copies under other URLs collapse into one.
            if (document.Canonical is { } canonical && InScope(Canonical(canonical)))
            {
                key = Canonical(canonical).AbsoluteUri;
            }
            if (!Claim(key))
            {
                reading.Skip();
                return null;
            }
            return new SourceItem(key) { Url = key, Document = document, ETag = fetched.ETag, LastModified = fetched.LastModified };
        }

        private bool Claim(string key)
        {
            lock (gate)
            {
                return emitted.Add(key);
            }
        }

        private async Task WaitForTurnAsync(CancellationToken cancellationToken)
        {
            TimeSpan wait;
            lock (gate)
            {
                var now = time.GetUtcNow();
                var slot = nextRequest > now ? nextRequest : now;
                nextRequest = slot + delay;
                wait = slot - now;
            }
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, time, cancellationToken);
            }
        }

        private async Task<Fetched> FetchAsync(Uri url, KnownDocument? known, bool checkScope, CancellationToken cancellationToken)
        {
            for (var hop = 0; hop <= limits.MaxRedirects; hop++)
            {
                if (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps)
                {
                    return new Fetched(url, 0, null, null, null, null, $"Refused: {url.Scheme} URLs are not fetched.", null);
                }
                try
                {
                    await network.ResolveAsync(url.IdnHost, cancellationToken);
                }
                catch (BlockedAddressException blocked)
                {
                    return new Fetched(url, 0, null, null, null, null, blocked.Message, null);
                }
                catch (System.Net.Sockets.SocketException e)
                {
                    return new Fetched(url, 0, null, null, null, null, $"{url.Host} could not be resolved ({e.SocketErrorCode}).", null);
                }
                if (checkScope && hop > 0 && !InScope(Canonical(url)))
                {
                    return new Fetched(url, 0, null, null, null, null, null, "redirected out of scope");
                }

                await WaitForTurnAsync(cancellationToken);
                using var request = new HttpRequestMessage(HttpMethod.Get, url);
                request.Headers.UserAgent.ParseAdd(limits.UserAgent);
                request.Headers.Accept.ParseAdd("text/html, application/xhtml+xml, text/markdown;q=0.9, text/plain;q=0.8, application/xml;q=0.5, */*;q=0.1");
                if (hop == 0 && known is not null)
                {
                    if (known.ETag is { } etag && EntityTagHeaderValue.TryParse(etag, out var tag))
                    {
                        request.Headers.IfNoneMatch.Add(tag);
                    }
                    if (known.LastModified is { } modified && DateTimeOffset.TryParse(modified, System.Globalization.CultureInfo.InvariantCulture, out var since))
                    {
                        request.Headers.IfModifiedSince = since;
                    }
                }

                HttpResponseMessage response;
                try
                {
                    response = await network.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
                }
                catch (HttpRequestException e)
                {
                    return new Fetched(url, 0, null, null, null, null,
                        GuardedNetwork.Refusal(e)?.Message ?? $"The request failed ({e.HttpRequestError}).", null);
                }
                catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    return new Fetched(url, 0, null, null, null, null, "The request timed out.", null);
                }

                using (response)
                {
                    var status = response.StatusCode;
                    if ((int)status is >= 300 and < 400 && status != HttpStatusCode.NotModified)
                    {
                        if (response.Headers.Location is not { } location)
                        {
                            return new Fetched(url, status, null, null, null, null, $"HTTP {(int)status} without a Location.", null);
                        }
                        url = location.IsAbsoluteUri ? location : new Uri(url, location);
                        if (checkScope && !robots.IsAllowed(url))
                        {
                            return new Fetched(url, status, null, null, null, null, null, "disallowed by robots.txt");
                        }
                        continue;
                    }
                    if (status == HttpStatusCode.NotModified)
                    {
                        return new Fetched(url, status, null, null, known?.ETag, known?.LastModified, null, null);
                    }
                    if (!response.IsSuccessStatusCode)
                    {
                        return new Fetched(url, status, null, null, null, null, checkScope ? $"HTTP {(int)status}." : null, null);
                    }

                    var mediaType = response.Content.Headers.ContentType?.MediaType?.ToLowerInvariant();
                    if (checkScope && ContentKinds.FromMediaType(mediaType) is null)
                    {
                        return new Fetched(url, status, mediaType, null, null, null, null, $"not a document ({mediaType})");
                    }
                    var text = await ReadTextAsync(response, cancellationToken);
                    if (text is null)
                    {
                        return new Fetched(url, status, mediaType, null, null, null, $"The page is larger than {limits.MaxPageBytes} bytes.", null);
                    }
                    return new Fetched(url, status, mediaType, text, response.Headers.ETag?.ToString(),
                        response.Content.Headers.LastModified?.ToString("R"), null, null);
                }
            }
            return new Fetched(url, 0, null, null, null, null, $"More than {limits.MaxRedirects} redirects.", null);
        }

        private async Task<string?> ReadTextAsync(HttpResponseMessage response, CancellationToken cancellationToken)
        {
            if (response.Content.Headers.ContentLength > limits.MaxPageBytes)
            {
                return null;
            }
            await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
            using var buffer = new MemoryStream();
            var chunk = new byte[81920];
            int read;
            while ((read = await body.ReadAsync(chunk, cancellationToken)) > 0)
            {
                if (buffer.Length + read > limits.MaxPageBytes)
                {
                    return null;
                }
                buffer.Write(chunk, 0, read);
            }
            Encoding encoding;
            try
            {
                encoding = response.Content.Headers.ContentType?.CharSet is { Length: > 0 } charset ? Encoding.GetEncoding(charset.Trim('"')) : Encoding.UTF8;
            }
            catch (ArgumentException)
            {
                encoding = Encoding.UTF8;
            }
            return encoding.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
        }

        private bool InScope(Uri url) => starts.Any(start =>
            string.Equals(start.Scheme, url.Scheme, StringComparison.OrdinalIgnoreCase) &&
            string.Equals(start.IdnHost, url.IdnHost, StringComparison.OrdinalIgnoreCase) &&
            start.Port == url.Port &&
            url.AbsolutePath.StartsWith(Prefix(start).AbsolutePath, StringComparison.Ordinal));
    }

    /// <summary>The folder a start URL is in: its path prefix bounds the crawl.</summary>
    internal static Uri Prefix(Uri start)
    {
        var path = start.AbsolutePath;
        var folder = path.EndsWith('/') ? path : path[..(path.LastIndexOf('/') + 1)];
        return new Uri(start, folder);
    }

    /// <summary>One spelling per page: no fragment, lower-case scheme and host, default port dropped.</summary>
    internal static Uri Canonical(Uri url)
    {
        var builder = new UriBuilder(url) { Fragment = "" };
        builder.Scheme = builder.Scheme.ToLowerInvariant();
        builder.Host = builder.Host.ToLowerInvariant();
        if (url.IsDefaultPort)
        {
            builder.Port = -1;
        }
        return builder.Uri;
    }
}
