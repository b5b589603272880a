using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace DocAIche.ServiceDefaults.Data;

/// <summary>
/// A turn that one instance of a service at a time holds: a PostgreSQL session-level advisory lock on
/// a connection of its own, given back when the turn is disposed (or the process dies and the
/// connection with it). For start-up work that instances starting together must not do at once.
/// </summary>
public sealed class ExclusiveTurn : IAsyncDisposable
{
    private readonly NpgsqlConnection _connection;

    private ExclusiveTurn(NpgsqlConnection connection) => _connection = connection;

    /// <summary>
    /// Waits for the turn named <paramref name="key"/> in <paramref name="db"/>'s database, as long as
    /// it takes (the other instance may be migrating) unless <paramref name="cancellationToken"/> ends it.
    /// </summary>
    public static async Task<ExclusiveTurn> TakeAsync(DbContext db, long key, CancellationToken cancellationToken)
    {
        // Unpooled: a pooled connection would go back to the pool still holding the lock, and keep it.
        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(db.Database.GetConnectionString()) { Pooling = false, CommandTimeout = 0 }.ConnectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            await using var take = new NpgsqlCommand("SELECT pg_advisory_lock($1)", connection) { Parameters = { new() { Value = key } } };
            await take.ExecuteNonQueryAsync(cancellationToken);
            return new ExclusiveTurn(connection);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    public ValueTask DisposeAsync() => _connection.DisposeAsync();
}
