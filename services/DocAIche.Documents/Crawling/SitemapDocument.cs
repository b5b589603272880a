using System.Text;
using System.Xml;

namespace DocAIche.Documents.Crawling;

/// <summary>A sitemap (urlset) or sitemap index: the pages and further sitemaps it lists.</summary>
internal sealed record SitemapDocument(IReadOnlyList<Uri> Pages, IReadOnlyList<Uri> Sitemaps)
{
    private const int MaxUrlCharacters = 8192;

    public static SitemapDocument Empty { get; } = new([], []);

    /// <summary>
    /// Reads &lt;urlset&gt;&lt;url&gt;&lt;loc&gt; and &lt;sitemapindex&gt;&lt;sitemap&gt;&lt;loc&gt; in any namespace.
    /// Stops after <paramref name="maxEntries"/> URLs (the sitemap protocol's own limit is 50,000).
    /// Malformed XML gives an empty result: a broken sitemap is not worth failing a crawl over.
    /// </summary>
    public static SitemapDocument Parse(string xml, int maxEntries = 50_000)
    {
        ArgumentNullException.ThrowIfNull(xml);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxEntries);

        var settings = new XmlReaderSettings
        {
            // No DTD means no entity expansion (billion laughs) and no external fetches.
            DtdProcessing = DtdProcessing.Prohibit,
            XmlResolver = null,
            IgnoreComments = true,
            IgnoreProcessingInstructions = true,
            IgnoreWhitespace = true,
            CloseInput = true,
        };

        var pages = new List<Uri>();
        var sitemaps = new List<Uri>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var path = new List<string>();
        StringBuilder? loc = null;
        try
        {
            using var reader = XmlReader.Create(new StringReader(xml), settings);
            while (pages.Count + sitemaps.Count < maxEntries && reader.Read())
            {
                switch (reader.NodeType)
                {
                    case XmlNodeType.Element when !reader.IsEmptyElement:
                        path.Add(reader.LocalName);
                        if (path.Count == 3 && reader.LocalName == "loc")
                        {
                            loc = new StringBuilder();
                        }

                        break;
                    case XmlNodeType.Text or XmlNodeType.CDATA when loc is not null:
                        if (loc.Length + reader.Value.Length <= MaxUrlCharacters)
                        {
                            loc.Append(reader.Value);
                        }

                        break;
                    case XmlNodeType.EndElement:
                        if (loc is not null && path.Count == 3)
                        {
                            var target = (path[0], path[1]) switch
                            {
                                ("urlset", "url") => pages,
                                ("sitemapindex", "sitemap") => sitemaps,
                                _ => null,
                            };
                            if (target is not null && Uri.TryCreate(loc.ToString().Trim(), UriKind.Absolute, out var uri)
                                && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
                                && seen.Add(uri.AbsoluteUri))
                            {
                                target.Add(uri);
                            }

                            loc = null;
                        }

                        if (path.Count > 0)
                        {
                            path.RemoveAt(path.Count - 1);
                        }

                        break;
                }
            }
        }
        catch (XmlException)
        {
            return Empty;
        }

        return new SitemapDocument(pages, sitemaps);
    }
}
