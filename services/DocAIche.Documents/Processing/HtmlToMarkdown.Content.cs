using System.Text;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;

namespace DocAIche.Documents.Processing;

// Which element holds the page's content, and which elements are page chrome (navigation, furniture) to leave out.
internal static partial class HtmlToMarkdown
{
    private static readonly string[] ContainerClasses = ["markdown-body", "theme-doc-markdown", "md-content", "rst-content"];

    private static INode ContentRoot(IDocument document)
    {
        var main = new List<IElement>();
        var articles = new List<IElement>();
        var roleMain = new List<IElement>();
        var containers = new List<IElement>[ContainerClasses.Length + 3];
        for (var i = 0; i < containers.Length; i++)
        {
            containers[i] = [];
        }

        foreach (var node in Descendants(document, n => n is IElement e && e.LocalName is "script" or "style" or "template" or "svg"))
        {
            if (node is not IHtmlElement element)
            {
                continue;
            }

            switch (element.LocalName)
            {
                case "main":
                    AddOutermost(main, element, "main");
                    break;
                case "article":
                    AddOutermost(articles, element, "article");
                    break;
            }

            if (IsRole(element, "main"))
            {
                roleMain.Add(element);
            }

            if (element.GetAttribute("id") == "content")
            {
                containers[ContainerClasses.Length].Add(element);
            }

            // The class attribute as a string: building a ClassList for every element is slow on large pages.
            if (element.GetAttribute("class") is not { Length: > 0 } classes)
            {
                continue;
            }

            for (var i = 0; i < ContainerClasses.Length; i++)
            {
                if (HasClass(classes, ContainerClasses[i]))
                {
                    containers[i].Add(element);
                }
            }

            if (HasClass(classes, "content"))
            {
                containers[ContainerClasses.Length + 1].Add(element);
            }

            if (HasClass(classes, "document"))
            {
                containers[ContainerClasses.Length + 2].Add(element);
            }
        }

        foreach (var candidates in new[] { main, articles, roleMain }.Concat(containers))
        {
            if (Richest(candidates) is { } chosen)
            {
                return chosen;
            }
        }

        return (INode?)document.Body ?? document;
    }

    /// <summary>
    /// Elements that hold the page's content (ancestors of its h1, main, article): class names
    /// such as "sidebar-layout" on them describe the layout, not navigation.
    /// </summary>
    private static HashSet<INode> ContentHolders(IDocument document)
    {
        var holders = new HashSet<INode>(ReferenceEqualityComparer.Instance);
        foreach (var node in Descendants(document))
        {
            if (node is IHtmlElement { LocalName: "h1" or "main" or "article" } || (node is IHtmlElement && IsRole(node, "main")))
            {
                for (var up = node.Parent; up is not null && holders.Add(up); up = up.Parent)
                {
                }
            }
        }

        return holders;
    }

    private static bool IsRole(INode node, string role) =>
        node is IElement e && string.Equals(e.GetAttribute("role")?.Trim(), role, StringComparison.OrdinalIgnoreCase);

    private static bool HasClass(string classes, string name)
    {
        foreach (var range in classes.AsSpan().SplitAny(" \t\n\r\f"))
        {
            if (classes.AsSpan(range).Equals(name, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    private static void AddOutermost(List<IElement> list, IElement element, string name)
    {
        for (var up = element.ParentElement; up is not null; up = up.ParentElement)
        {
            if (up.LocalName == name)
            {
                return;
            }
        }

        list.Add(element);
    }

    private static IElement? Richest(List<IElement> candidates)
    {
        IElement? best = null;
        var bestLength = 0L;
        foreach (var candidate in candidates.Take(64))
        {
            var length = TextLength(candidate);
            if (length > bestLength)
            {
                best = candidate;
                bestLength = length;
            }
        }

        return best;
    }

    private static long TextLength(INode root)
    {
        var length = 0L;
        foreach (var node in Descendants(root, n => n is IElement { LocalName: "script" or "style" or "template" }))
        {
            if (node is IText text)
            {
                foreach (var c in text.Data)
                {
                    if (!char.IsWhiteSpace(c))
                    {
                        length++;
                    }
                }
            }
        }

        return length;
    }

    /// <summary>Navigation, page furniture and anything that is not text for a reader.</summary>
    internal static bool IsChrome(IElement element, HashSet<INode> keep)
    {
        switch (element.LocalName)
        {
            case "nav" or "footer" or "aside" or "script" or "style" or "noscript" or "template" or "svg"
                or "iframe" or "button" or "object" or "embed" or "canvas" or "video" or "audio" or "select"
                or "input" or "textarea" or "link" or "meta" or "head" or "dialog":
                return true;
            case "form":
                // Some sites wrap the whole page in a form.
                return !keep.Contains(element);
            case "header":
                // A site header holds navigation; an article header holds the page title.
                return !HasHeadingAndNoNavigation(element);
        }

        var role = element.GetAttribute("role");
        if (role is not null && role.Trim().ToLowerInvariant() is "navigation" or "contentinfo" or "complementary" or "search" or "banner")
        {
            return true;
        }

        // [hidden] is kept on purpose: inactive tab panels hold the other languages' examples.
        if (string.Equals(element.GetAttribute("aria-hidden")?.Trim(), "true", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        if (element.LocalName == "a" && (IsPermalink(element) || IsEditLink(element)))
        {
            return true;
        }

        // Headings are content whatever their classes say ("anchorWithStickyNavbar").
        if (keep.Contains(element) || element.LocalName is "h1" or "h2" or "h3" or "h4" or "h5" or "h6")
        {
            return false;
        }

        var classes = element.GetAttribute("class");
        if (classes is not null && ChromeNames.Match(classes))
        {
            return true;
        }

        // Headings and sections carry ids made from their titles ("menu-options"), which say nothing.
        var id = element.GetAttribute("id");
        return id is not null
            && element.LocalName is not ("section" or "article" or "dt")
            && !element.ClassList.Contains("section")
            && ChromeNames.Match(id);
    }

    private static bool HasHeadingAndNoNavigation(IElement header)
    {
        var heading = false;
        foreach (var node in Descendants(header))
        {
            if (node is IElement { LocalName: "nav" } || IsRole(node, "navigation"))
            {
                return false;
            }

            heading |= node is IElement { LocalName: "h1" or "h2" or "h3" or "h4" or "h5" or "h6" };
        }

        return heading;
    }

    /// <summary>"¶" and "#" anchors next to headings.</summary>
    private static bool IsPermalink(IElement anchor)
    {
        var href = anchor.GetAttribute("href");
        if (href is null || !href.TrimStart().StartsWith('#'))
        {
            return false;
        }

        var text = new StringBuilder();
        foreach (var node in Descendants(anchor))
        {
            if (node is IText t)
            {
                text.Append(t.Data);
                if (text.Length > 16)
                {
                    return false;
                }
            }
        }

        return Collapse(text.ToString()) is "" or "¶" or "#" or "§" or "🔗" or "∞";
    }

    /// <summary>"Edit this page" buttons, named by their title or label when their classes say nothing.</summary>
    private static bool IsEditLink(IElement anchor) =>
        (anchor.GetAttribute("title") ?? anchor.GetAttribute("aria-label") ?? "").Contains("edit this page", StringComparison.OrdinalIgnoreCase);

    /// <summary>Class and id words that mark navigation and page furniture.</summary>
    private static class ChromeNames
    {
        private static readonly HashSet<string> Words = new(StringComparer.OrdinalIgnoreCase)
        {
            "sidebar", "sidenav", "toc", "toctree", "tableofcontents", "breadcrumb", "breadcrumbs", "navbar", "menu",
            "footer", "cookie", "cookies", "headerlink", "permalink", "linenos", "lineno", "linenodiv",
        };

        private static readonly string[] Phrases =
        [
            "edit-this-page", "skip-link", "skip-to-content", "table-of-contents", "hash-link", "header-anchor",
            "anchor-link", "anchorjs-link", "edit-on-github", "edit-page", "cookie-banner", "cookie-consent",
        ];

        // Words glued to others in some themes ("sphinxsidebar", "docsidebar").
        private static readonly string[] Suffixes = ["sidebar", "navbar", "breadcrumbs", "breadcrumb", "footer"];

        public static bool Match(string names)
        {
            foreach (var name in names.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
            {
                foreach (var phrase in Phrases)
                {
                    if (name.Contains(phrase, StringComparison.OrdinalIgnoreCase))
                    {
                        return true;
                    }
                }

                foreach (var part in name.Split(['-', '_'], StringSplitOptions.RemoveEmptyEntries))
                {
                    if (Words.Contains(part))
                    {
                        return true;
                    }

                    // Only all-lowercase glued words: camelCase names ("anchorWithStickyNavbar") are descriptions.
                    if (!part.Any(char.IsUpper))
                    {
                        foreach (var suffix in Suffixes)
                        {
                            if (part.EndsWith(suffix, StringComparison.Ordinal) || part.StartsWith(suffix, StringComparison.Ordinal))
                            {
                                return true;
                            }
                        }
                    }
                }
            }

            return false;
        }
    }
}
