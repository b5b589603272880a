using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using DocAIche.Audit.Infrastructure;
using DocAIche.Audit.Model;
using DocAIche.ServiceDefaults.Security;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace DocAIche.Audit.Trail;

/// <summary>The personal part of a record, sealed with its subject's key.</summary>
public sealed record SealedPart(string? Subject, string? ClientAddress, IReadOnlyDictionary<string, string>? Details);

/// <summary>
/// One random key per data subject, stored encrypted under the configured protection key. A record's
/// personal fields are encrypted with it and a keyed hash of the subject lets records be found by
/// subject; erasing the subject deletes the key, after which neither can be read or recomputed.
/// </summary>
public sealed class SubjectKeys(AuditDbContext db, IOptions<AuditOptions> options, TimeProvider time)
{
    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);
    private readonly byte[] protection = SecretBox.KeyFrom(options.Value.SubjectKeyProtection);

    public sealed record Key(Guid Id, byte[] Value);

    /// <summary>The subject's key, created when it has none (inside the caller's transaction).</summary>
    public async Task<Key> GetOrCreateAsync(string tenantId, string subject, CancellationToken cancellationToken)
    {
        var candidate = SecretBox.Protect(RandomNumberGenerator.GetBytes(32), protection);
        await db.Database.ExecuteSqlAsync(
            $"""INSERT INTO subject_keys ("Id", "TenantId", "Subject", "Key", "CreatedAt") VALUES ({Guid.CreateVersion7()}, {tenantId}, {subject}, {candidate}, {time.GetUtcNow()}) ON CONFLICT ("TenantId", "Subject") DO NOTHING""",
            cancellationToken);
        return await FindAsync(tenantId, subject, cancellationToken)
            ?? throw new InvalidOperationException("A subject key vanished while it was being created.");
    }

    /// <summary>The subject's key, or null when it never had one or was erased.</summary>
    public async Task<Key?> FindAsync(string tenantId, string subject, CancellationToken cancellationToken)
    {
        var stored = await db.SubjectKeys.AsNoTracking()
            .Where(k => k.TenantId == tenantId && k.Subject == subject)
            .Select(k => new { k.Id, k.Key })
            .FirstOrDefaultAsync(cancellationToken);
        return stored is null ? null : new Key(stored.Id, SecretBox.Unprotect(stored.Key, protection));
    }

    /// <summary>The keys with these ids that still exist.</summary>
    public async Task<Dictionary<Guid, byte[]>> LoadAsync(IEnumerable<Guid> ids, CancellationToken cancellationToken)
    {
        var wanted = ids.Distinct().ToList();
        if (wanted.Count == 0)
        {
            return [];
        }
        var stored = await db.SubjectKeys.AsNoTracking().Where(k => wanted.Contains(k.Id)).Select(k => new { k.Id, k.Key }).ToListAsync(cancellationToken);
        return stored.ToDictionary(k => k.Id, k => SecretBox.Unprotect(k.Key, protection));
    }

    /// <summary>Destroys the subjects' keys: what they sealed can no longer be read. Returns how many went.</summary>
    public Task<int> EraseAsync(string tenantId, IReadOnlyCollection<string> subjects, CancellationToken cancellationToken) =>
        db.SubjectKeys.Where(k => k.TenantId == tenantId && subjects.Contains(k.Subject)).ExecuteDeleteAsync(cancellationToken);

    /// <summary>A keyed hash of the subject: equal for equal subjects under one key, unlinkable without it.</summary>
    public static string Index(byte[] key, string subject) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(subject)))[..32];

    public static string Seal(byte[] key, SealedPart part) =>
        SecretBox.Protect(JsonSerializer.SerializeToUtf8Bytes(part, JsonOptions), key);

    /// <summary>The sealed part, or null when its key is gone (erased) or it does not decrypt.</summary>
    public static SealedPart? Unseal(byte[]? key, string? sealedValue)
    {
        if (key is null || sealedValue is null)
        {
            return null;
        }
        try
        {
            return JsonSerializer.Deserialize<SealedPart>(SecretBox.Unprotect(sealedValue, key), JsonOptions);
        }
        catch (Exception exception) when (exception is CryptographicException or JsonException or FormatException)
        {
            return null;
        }
    }
}
