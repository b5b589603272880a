using Microsoft.EntityFrameworkCore;

namespace DocAIche.ServiceDefaults.Data;

public static class TransactionExtensions
{
    /// <summary>
    /// Runs <paramref name="work"/> in one database transaction under the context's execution
    /// strategy: a transient failure rolls everything back and runs the whole unit again, so the
    /// work must start from what the database holds (clear or reload what it tracks).
    /// </summary>
    public static Task<T> InTransactionAsync<T>(this DbContext db, Func<CancellationToken, Task<T>> work, CancellationToken cancellationToken) =>
        db.Database.CreateExecutionStrategy().ExecuteAsync(async token =>
        {
            await using var transaction = await db.Database.BeginTransactionAsync(token);
            var result = await work(token);
            await transaction.CommitAsync(token);
            return result;
        }, cancellationToken);

    public static Task InTransactionAsync(this DbContext db, Func<CancellationToken, Task> work, CancellationToken cancellationToken) =>
        db.InTransactionAsync(async token =>
        {
            await work(token);
            return true;
        }, cancellationToken);
}
