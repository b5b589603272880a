using System.ComponentModel.DataAnnotations;

namespace DocAIche.Gateway.Live;

/// <summary>Section <c>Gateway:Live</c>: where <c>/ws</c> is forwarded.</summary>
public sealed class LiveForwardingOptions : IValidatableObject
{
    public const string Section = "Gateway:Live";

    /// <summary>
    /// The websocket service's live endpoint: a service-discovery name (<c>http://_live.websocket</c>,
    /// the AppHost's "live" endpoint, <c>services__websocket__live__0</c> in a cluster) or a plain
    /// <c>http://host:port</c>.
    /// </summary>
    [Required]
    public string Backend { get; set; } = "http://_live.websocket";

    /// <summary>How long the service may take to accept the connection and answer its opening handshake.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:02:00")]
    public TimeSpan HandshakeTimeout { get; set; } = TimeSpan.FromSeconds(10);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        // The live endpoint speaks plain HTTP/1.1 and is reached at its root: /ws is written by the gateway.
        if (!Uri.TryCreate(Backend, UriKind.Absolute, out var backend) || backend.Scheme != Uri.UriSchemeHttp ||
            backend.AbsolutePath != "/" || backend.Query.Length > 0 || backend.UserInfo.Length > 0)
        {
            yield return new ValidationResult("Backend must be an http:// address without a path (http://_live.websocket or http://host:port).", [nameof(Backend)]);
        }
    }
}
