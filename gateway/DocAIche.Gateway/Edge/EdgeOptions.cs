using System.ComponentModel.DataAnnotations;

namespace DocAIche.Gateway.Edge;

/// <summary>A token bucket: <see cref="TokenLimit"/> requests at once, refilled by <see cref="TokensPerPeriod"/> every <see cref="Period"/>.</summary>
public sealed class TokenBucket
{
    [Range(1, 1_000_000)]
    public int TokenLimit { get; set; }

    [Range(1, 1_000_000)]
    public int TokensPerPeriod { get; set; }

    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00")]
    public TimeSpan Period { get; set; } = TimeSpan.FromSeconds(1);
}

/// <summary>Section <c>Gateway:Edge</c>: what the gateway refuses before anything reaches a service.</summary>
public sealed class EdgeOptions
{
    public const string Section = "Gateway:Edge";

    /// <summary>Per user, machine client or API key (the token's subject).</summary>
    [Required]
    public TokenBucket PerCaller { get; set; } = new() { TokenLimit = 200, TokensPerPeriod = 100 };

    /// <summary>Per tenant, all its callers together.</summary>
    [Required]
    public TokenBucket PerTenant { get; set; } = new() { TokenLimit = 1000, TokensPerPeriod = 500 };

    /// <summary>Per client address, for requests without a valid token.</summary>
    [Required]
    public TokenBucket Anonymous { get; set; } = new() { TokenLimit = 60, TokensPerPeriod = 30 };

    /// <summary>Per client address, for attempts to prove an identity: sign-in, token requests, unknown API keys.</summary>
    [Required]
    public TokenBucket CredentialAttempts { get; set; } = new() { TokenLimit = 10, TokensPerPeriod = 1, Period = TimeSpan.FromSeconds(6) };

    /// <summary>Browser origins allowed to call the API (CORS). Empty: no cross-origin access.</summary>
    public List<string> AllowedOrigins { get; set; } = [];

    /// <summary>Largest request body the gateway accepts, in bytes.</summary>
    [Range(1024, 1L << 30)]
    public long MaxRequestBodyBytes { get; set; } = 10 * 1024 * 1024;

    /// <summary>Largest upload (<c>POST /api/v1/sources/{id}/uploads</c>) the gateway accepts, in bytes; the documents service checks its own limits too.</summary>
    [Range(1024, 1L << 32)]
    public long MaxUploadBodyBytes { get; set; } = 64 * 1024 * 1024;
}
