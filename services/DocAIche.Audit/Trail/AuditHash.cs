using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using DocAIche.Audit.Model;

namespace DocAIche.Audit.Trail;

/// <summary>
/// The canonical form of a record and its chained hash: SHA-256 over the previous hash and a JSON
/// array of every stored column in a fixed order (times in UTC to the microsecond, as PostgreSQL
/// keeps them). Anything changed in a stored record changes its hash.
/// </summary>
public static class AuditHash
{
    /// <summary>The hash before a tenant's first record.</summary>
    public static readonly string Genesis = new('0', 64);

    /// <summary>Drops what PostgreSQL cannot store (below a microsecond), so the hash survives a round trip.</summary>
    public static DateTimeOffset Truncate(DateTimeOffset value) =>
        new(value.UtcTicks - (value.UtcTicks % 10), TimeSpan.Zero);

    public static string Compute(AuditRecord record)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartArray();
            json.WriteStringValue(record.PreviousHash);
            json.WriteStringValue(record.TenantId);
            json.WriteNumberValue(record.Sequence);
            json.WriteStringValue(Time(record.OccurredAt));
            json.WriteStringValue(Time(record.RecordedAt));
            json.WriteStringValue(record.ActorType);
            WriteNullable(json, record.Actor);
            WriteNullable(json, record.ActorIndex);
            WriteNullable(json, record.ActorKeyId?.ToString("N"));
            WriteNullable(json, record.ActorSealed);
            json.WriteStringValue(record.Action);
            json.WriteStringValue(record.TargetType);
            WriteNullable(json, record.TargetId);
            WriteNullable(json, record.TargetIndex);
            WriteNullable(json, record.TargetKeyId?.ToString("N"));
            WriteNullable(json, record.TargetSealed);
            json.WriteStringValue(record.Outcome);
            WriteNullable(json, record.TraceId);
            WriteNullable(json, record.Details);
            json.WriteStringValue(record.MessageId.ToString("N"));
            json.WriteEndArray();
        }
        return Convert.ToHexStringLower(SHA256.HashData(buffer.WrittenSpan));
    }

    private static string Time(DateTimeOffset value) =>
        Truncate(value).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);

    private static void WriteNullable(Utf8JsonWriter json, string? value)
    {
        if (value is null)
        {
            json.WriteNullValue();
        }
        else
        {
            json.WriteStringValue(value);
        }
    }

    /// <summary>The checkpoint's signature: HMAC-SHA256 of its fields under the checkpoint key.</summary>
    public static string Sign(AuditCheckpoint checkpoint, byte[] key) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(key, System.Text.Encoding.UTF8.GetBytes(string.Join('\n',
            checkpoint.TenantId, checkpoint.ThroughSequence.ToString(CultureInfo.InvariantCulture), checkpoint.LastHash,
            checkpoint.PurgedRecords.ToString(CultureInfo.InvariantCulture), Time(checkpoint.PurgedAt)))));
}
