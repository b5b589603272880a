using System.Text;
using Microsoft.AspNetCore.Http;

namespace DocAIche.ServiceDefaults.Http;

/// <summary>Reports answer as JSON, or as CSV one section at a time (a CSV file holds one table).</summary>
public static class ReportFormat
{
    /// <summary>Adds the problems of <paramref name="format"/> and, for CSV, of <paramref name="section"/> to <paramref name="errors"/>.</summary>
    public static void Validate(string format, string? section, IReadOnlyCollection<string> sections, IDictionary<string, string[]> errors)
    {
        if (format is not ("json" or "csv"))
        {
            errors["format"] = ["Formats are 'json' and 'csv'."];
        }
        else if (format == "csv" && sections.Count > 0 && (section is null || !sections.Contains(section)))
        {
            errors["section"] = [$"A CSV holds one section: {string.Join(", ", sections)}."];
        }
    }

    public static IResult Csv(string text) => Results.Text(text, "text/csv; charset=utf-8", Encoding.UTF8);
}
