using System.ComponentModel.DataAnnotations;

namespace DocAIche.Console;

/// <summary>Section <c>Console</c>: how the admin console signs people in and keeps their sessions.</summary>
public sealed class ConsoleOptions
{
    public const string Section = "Console";

    /// <summary>The secret of the <c>docaiche-console</c> client at the token server (a deployment secret).</summary>
    [Required, MinLength(32)]
    public string ClientSecret { get; set; } = "";

    /// <summary>
    /// Where the console calls DocAIche's public API. Unset: the token issuer, which is the gateway's
    /// public address (the console uses the same API as everyone else).
    /// </summary>
    [Url]
    public string? ApiUrl { get; set; }

    /// <summary>How long a session lasts without use; each visit extends it.</summary>
    [Range(typeof(TimeSpan), "00:05:00", "7.00:00:00")]
    public TimeSpan SessionLifetime { get; set; } = TimeSpan.FromHours(8);
}
