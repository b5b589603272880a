using System.Text;
using DocAIche.Documents.Infrastructure;
using DocAIche.ServiceDefaults.Auditing;
using DocAIche.ServiceDefaults.Quotas;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace DocAIche.Documents.Quotas;

/// <summary>A write that would take its tenant past a quota; nothing of it was written.</summary>
internal sealed class QuotaExceededException(string quota, long limit, long used, string what)
    : Exception($"The tenant's {quota} quota ({limit} {what}) is reached.")
{
    public ProblemHttpResult Problem => QuotaProblems.Full(quota, limit, used, what);
}

/// <summary>
/// The libraries, documents and storage quotas. A unit of work (a request, a job's apply) counts what
/// its tenant holds once, when it first writes, and keeps the count as it writes: a new document or a
/// bigger one that would go past a quota is refused; reaching 80 % queues the alert with the write.
/// Two jobs of one tenant writing at the same moment each count from what was committed, so together
/// they may pass a quota by what they wrote meanwhile.
/// </summary>
internal sealed class DocumentQuotas(DocumentsDbContext db, TenantQuotaReader reader, TimeProvider time)
{
    private const string Service = "documents";
    private Stock? stock;

    private sealed class Stock
    {
        public required string TenantId { get; init; }

        public required TenantQuotas Quotas { get; init; }

        public long Documents { get; set; }

        public long Bytes { get; set; }
    }

    /// <summary>What a tenant holds: a row of the count query (EF reads raw SQL into settable properties).</summary>
    private sealed class Held
    {
        public long Documents { get; init; }

        public long Bytes { get; init; }
    }

    /// <summary>The bytes a document's Markdown takes.</summary>
    public static long BytesOf(string? markdown) => markdown is null ? 0 : Encoding.UTF8.GetByteCount(markdown);

    /// <summary>Forgets the count (the unit of work starts again after a transient failure, or ends).</summary>
    public void Forget() => stock = null;

    /// <summary>
    /// Takes <paramref name="documents"/> more documents and <paramref name="bytes"/> more bytes for the
    /// tenant, or throws <see cref="QuotaExceededException"/> when that would pass a quota. Shrinking is
    /// always allowed.
    /// </summary>
    public async Task ChargeAsync(string tenantId, long documents, long bytes, CancellationToken cancellationToken)
    {
        if (stock is null || stock.TenantId != tenantId)
        {
            var quotas = await reader.ForAsync(tenantId, cancellationToken);
            var held = quotas.Documents is null && quotas.StorageBytes is null ? new Held() : await HeldAsync(tenantId, cancellationToken);
            stock = new Stock { TenantId = tenantId, Quotas = quotas, Documents = held.Documents, Bytes = held.Bytes };
        }
        var (limits, before) = (stock.Quotas, new Held { Documents = stock.Documents, Bytes = stock.Bytes });
        if (documents > 0 && limits.Documents is { } documentLimit && before.Documents + documents > documentLimit)
        {
            throw new QuotaExceededException(QuotaNames.Documents, documentLimit, before.Documents, "documents");
        }
        if (bytes > 0 && limits.StorageBytes is { } byteLimit && before.Bytes + bytes > byteLimit)
        {
            throw new QuotaExceededException(QuotaNames.Storage, byteLimit, before.Bytes, "bytes");
        }
        stock.Documents += documents;
        stock.Bytes += bytes;
        if (TenantQuotas.CrossesAlert(limits.Documents, before.Documents, stock.Documents))
        {
            db.AddQuotaAlert(time, tenantId, Service, QuotaNames.Documents, limits.Documents!.Value, stock.Documents);
        }
        if (TenantQuotas.CrossesAlert(limits.StorageBytes, before.Bytes, stock.Bytes))
        {
            db.AddQuotaAlert(time, tenantId, Service, QuotaNames.Storage, limits.StorageBytes!.Value, stock.Bytes);
        }
    }

    /// <summary>
    /// A request that brings documents (an upload, a read of a source) is refused up front when the
    /// tenant already holds its documents or storage quota: the job would only fail item by item.
    /// </summary>
    public async Task<ProblemHttpResult?> RefuseIngestionAsync(string tenantId, CancellationToken cancellationToken)
    {
        var quotas = await reader.ForAsync(tenantId, cancellationToken);
        if (quotas.Documents is null && quotas.StorageBytes is null)
        {
            return null;
        }
        var held = await HeldAsync(tenantId, cancellationToken);
        if (quotas.Documents is { } documentLimit && held.Documents >= documentLimit)
        {
            return QuotaProblems.Full(QuotaNames.Documents, documentLimit, held.Documents, "documents");
        }
        return quotas.StorageBytes is { } byteLimit && held.Bytes >= byteLimit
            ? QuotaProblems.Full(QuotaNames.Storage, byteLimit, held.Bytes, "bytes")
            : null;
    }

    /// <summary>Refuses one more library past the quota; queues the 80 % alert when this one reaches it.</summary>
    public async Task<ProblemHttpResult?> ChargeLibraryAsync(string tenantId, CancellationToken cancellationToken)
    {
        if ((await reader.ForAsync(tenantId, cancellationToken)).Libraries is not { } limit)
        {
            return null;
        }
        var held = await db.Libraries.CountAsync(l => l.TenantId == tenantId, cancellationToken);
        if (held >= limit)
        {
            return QuotaProblems.Full(QuotaNames.Libraries, limit, held, "libraries");
        }
        if (TenantQuotas.CrossesAlert(limit, held, held + 1))
        {
            db.AddQuotaAlert(time, tenantId, Service, QuotaNames.Libraries, limit, held + 1);
        }
        return null;
    }

    private Task<Held> HeldAsync(string tenantId, CancellationToken cancellationToken) =>
        db.Database.SqlQuery<Held>($"""
            SELECT count(*) AS "Documents", COALESCE(sum(octet_length("Content")), 0)::bigint AS "Bytes"
            FROM documents WHERE "TenantId" = {tenantId}
            """).SingleAsync(cancellationToken);
}
