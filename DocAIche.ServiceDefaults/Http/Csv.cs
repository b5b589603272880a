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

    /// <summary>A time as ISO 8601 (round-trip), empty when there is none.</summary>
    public static string Time(DateTimeOffset? at) => at?.ToString("O", System.Globalization.CultureInfo.InvariantCulture) ?? "";

    /// <summary>A number in invariant culture, empty when there is none.</summary>
    public static string Number(double? value) => value?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "";

    /// <summary>A line of fields, without its line break.</summary>
    public static string Line(params string?[] fields) => string.Join(',', fields.Select(Field));
}
