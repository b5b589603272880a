using Microsoft.Extensions.Compliance.Classification;

namespace DocAIche.ServiceDefaults.Logging;

/// <summary>What kinds of data DocAIche's logs must never carry in clear.</summary>
public static class DocAIcheTaxonomy
{
    public const string Name = "DocAIche";

    /// <summary>Emails, names, client addresses: anything that identifies a person.</summary>
    public static DataClassification PersonalData { get; } = new(Name, nameof(PersonalData));

    /// <summary>Tokens, API keys, passwords, client secrets.</summary>
    public static DataClassification SecretData { get; } = new(Name, nameof(SecretData));
}

/// <summary>Marks a logged value as personal data: redacted before any log provider sees it.</summary>
[AttributeUsage(AttributeTargets.Parameter | AttributeTargets.Property | AttributeTargets.Field)]
public sealed class PersonalDataAttribute() : DataClassificationAttribute(DocAIcheTaxonomy.PersonalData);

/// <summary>Marks a logged value as a secret: redacted before any log provider sees it.</summary>
[AttributeUsage(AttributeTargets.Parameter | AttributeTargets.Property | AttributeTargets.Field)]
public sealed class SecretDataAttribute() : DataClassificationAttribute(DocAIcheTaxonomy.SecretData);

/// <summary>Replaces a classified value with <c>[redacted]</c>, so a log line still shows that something was there.</summary>
public sealed class MarkingRedactor : Microsoft.Extensions.Compliance.Redaction.Redactor
{
    public const string Mark = "[redacted]";

    public override int GetRedactedLength(ReadOnlySpan<char> input) => Mark.Length;

    public override int Redact(ReadOnlySpan<char> source, Span<char> destination)
    {
        Mark.AsSpan().CopyTo(destination);
        return Mark.Length;
    }
}
