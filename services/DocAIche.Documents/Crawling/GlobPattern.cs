using System.Text;
using System.Text.RegularExpressions;

namespace DocAIche.Documents.Crawling;

/// <summary>
/// A glob over '/'-separated paths: '*' is any run of characters but '/', '**' is anything
/// (as a whole segment, "a/**/b" also matches "a/b"), '?' is one character but '/', [abc] and
/// [!abc] are character classes, '\' escapes. The whole path must match; a leading '/' on the
/// pattern or the path is ignored.
/// </summary>
internal sealed class GlobPattern
{
    // Patterns come from tenants: the non-backtracking engine keeps matching linear.
    private const RegexOptions Options = RegexOptions.NonBacktracking | RegexOptions.CultureInvariant;

    private readonly Regex regex;

    public GlobPattern(string pattern)
        : this(pattern, ignoreCase: false)
    {
    }

    public GlobPattern(string pattern, bool ignoreCase)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        Pattern = pattern;
        regex = new Regex(ToRegex(pattern.Trim().TrimStart('/')), ignoreCase ? Options | RegexOptions.IgnoreCase : Options);
    }

    public string Pattern { get; }

    public bool IsMatch(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return regex.IsMatch(path.TrimStart('/'));
    }

    public override string ToString() => Pattern;

    private static string ToRegex(string glob)
    {
        var regex = new StringBuilder("^");
        var i = 0;
        while (i < glob.Length)
        {
            var c = glob[i];
            if (c == '*' && i + 1 < glob.Length && glob[i + 1] == '*')
            {
                var end = i;
                while (end < glob.Length && glob[end] == '*')
                {
                    end++;
                }

                var segmentStart = i == 0 || glob[i - 1] == '/';
                if (segmentStart && end < glob.Length && glob[end] == '/')
                {
                    regex.Append("(?:.*/)?"); // "**/": any number of directories, none included
                    i = end + 1;
                }
                else if (segmentStart && end == glob.Length && i > 0)
                {
                    regex.Length -= 1; // "a/**" also matches "a" itself
                    regex.Append("(?:/.*)?");
                    i = end;
                }
                else
                {
                    regex.Append(".*");
                    i = end;
                }

                continue;
            }

            switch (c)
            {
                case '*':
                    regex.Append("[^/]*");
                    break;
                case '?':
                    regex.Append("[^/]");
                    break;
                case '\\' when i + 1 < glob.Length:
                    regex.Append(Regex.Escape(glob[++i].ToString()));
                    break;
                case '[' when ClassEnd(glob, i) is var close and > 0:
                    regex.Append('[');
                    var start = i + 1;
                    if (glob[start] is '!' or '^')
                    {
                        regex.Append('^');
                        start++;
                    }

                    foreach (var member in glob.AsSpan(start, close - start))
                    {
                        regex.Append(member is '\\' or '[' or ']' or '^' ? "\\" + member : member.ToString());
                    }

                    regex.Append(']');
                    i = close;
                    break;
                default:
                    regex.Append(Regex.Escape(c.ToString()));
                    break;
            }

            i++;
        }

        return regex.Append('$').ToString();
    }

    /// <summary>The index of the ']' closing a class opened at <paramref name="open"/>, or -1.</summary>
    private static int ClassEnd(string glob, int open)
    {
        var i = open + 1;
        if (i < glob.Length && glob[i] is '!' or '^')
        {
            i++;
        }

        // A ']' straight after the opening is a member, not the end.
        if (i < glob.Length && glob[i] == ']')
        {
            i++;
        }

        for (; i < glob.Length; i++)
        {
            if (glob[i] == '/')
            {
                return -1;
            }

            if (glob[i] == ']')
            {
                return i;
            }
        }

        return -1;
    }
}
