namespace DocAIche.Documents.Fetching;

/// <summary>Key <c>Ingestion:AllowedNetworks</c>: what the network guard lets through besides public addresses.</summary>
internal sealed class NetworkOptions
{
    // The list sits directly under Ingestion, so the class binds that section and reads only its one key.
    public const string Section = "Ingestion";

    /// <summary>Address ranges (CIDR) the crawler and Git fetcher may reach although they are private or loopback.</summary>
    public List<string> AllowedNetworks { get; set; } = [];
}
