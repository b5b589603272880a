using System.Text;

namespace DocAIche.Search.Searching;

/// <summary>
/// Snippets are HTML a page may insert as it is: the passage's text escaped, with the matched terms
/// in <c>&lt;mark&gt;</c> and no other tag. PostgreSQL marks the terms with two private-use
/// characters that escaping leaves alone; they become the only tags, balanced whatever the text held.
/// </summary>
public static class Snippets
{
    private const char Start = '\uE000';
    private const char Stop = '\uE001';

    /// <summary>The <c>ts_headline</c> options: two fragments of up to 30 words, terms between the markers.</summary>
    public static readonly string HeadlineOptions = $"StartSel={Start}, StopSel={Stop}, MaxFragments=2, MaxWords=30, MinWords=8";

    /// <summary>The headline as safe HTML: escaped text, markers turned into balanced <c>&lt;mark&gt;</c> elements.</summary>
    public static string ToHtml(string headline)
    {
        var html = new StringBuilder(headline.Length + 32);
        var open = false;
        foreach (var c in headline)
        {
            switch (c)
            {
                case Start when !open:
                    html.Append("<mark>");
                    open = true;
                    break;
                case Stop when open:
                    html.Append("</mark>");
                    open = false;
                    break;
                case Start or Stop:
                    break;
                case '&':
                    html.Append("&amp;");
                    break;
                case '<':
                    html.Append("&lt;");
                    break;
                case '>':
                    html.Append("&gt;");
                    break;
                case '"':
                    html.Append("&quot;");
                    break;
                case '\'':
                    html.Append("&#39;");
                    break;
                default:
                    html.Append(c);
                    break;
            }
        }
        if (open)
        {
            html.Append("</mark>");
        }
        return html.ToString();
    }
}
