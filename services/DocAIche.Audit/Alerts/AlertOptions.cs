using System.ComponentModel.DataAnnotations;

namespace DocAIche.Audit.Alerts;

/// <summary>Section <c>Alerts</c>: when a pattern in the audit trail becomes a security alert.</summary>
public sealed class AlertOptions
{
    public const string Section = "Alerts";

    /// <summary>Failed sign-ins (and lockouts) of one account within <see cref="FailedSignInWindow"/>.</summary>
    [Range(2, 100_000)]
    public int FailedSignInsPerAccount { get; set; } = 5;

    /// <summary>Failed sign-ins from one address, any account, within <see cref="FailedSignInWindow"/>.</summary>
    [Range(2, 100_000)]
    public int FailedSignInsPerAddress { get; set; } = 10;

    [Range(typeof(TimeSpan), "00:00:10", "1.00:00:00")]
    public TimeSpan FailedSignInWindow { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Different addresses one API key acts from within <see cref="ApiKeyWindow"/>.</summary>
    [Range(2, 100_000)]
    public int ApiKeyAddresses { get; set; } = 5;

    [Range(typeof(TimeSpan), "00:00:10", "1.00:00:00")]
    public TimeSpan ApiKeyWindow { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Deletions by one actor within <see cref="DeletionWindow"/>.</summary>
    [Range(2, 100_000)]
    public int Deletions { get; set; } = 20;

    [Range(typeof(TimeSpan), "00:00:05", "1.00:00:00")]
    public TimeSpan DeletionWindow { get; set; } = TimeSpan.FromMinutes(1);
}
