namespace DocAIche.ServiceDefaults.Http;

/// <summary>CSV as exports and reports write it: RFC 4180 quoting, and no cell a spreadsheet would run as a formula.</summary>
public static class Csv
{
    /// <summary>One field: quoted when it holds a comma, quote or line break; a leading quote for values a spreadsheet would run as a formula.</summary>
    public static string Field(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return "";
        }
        if (value[0] is '=' or '+' or '-' or '@' or '\t' or '\r')
        {
            value = "'" + value;
        }
        return value.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? $"\"{value.Replace("\"", "\"\"", StringComparison.Ordinal)}\"" : value;
    }

    /// <summary>A line of fields, without its line break.</summary>
    public static string Line(params string?[] fields) => string.Join(',', fields.Select(Field));
}
