using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace DocAIche.ServiceDefaults.Data;

/// <summary>
/// A turn that one instance of a service at a time holds: a PostgreSQL session-level advisory lock on
/// a connection of its own, given back when the turn is disposed (or the process dies and the
/// connection with it). For work that instances running together must not do at once: start-up
/// steps wait for their turn, background rounds take it only when it is free.
/// </summary>
public sealed class ExclusiveTurn : IAsyncDisposable
{
    private readonly NpgsqlConnection _connection;
    private readonly long _key;

    private ExclusiveTurn(NpgsqlConnection connection, long key)
    {
        _connection = connection;
        _key = key;
    }

    /// <summary>Waits for the turn named <paramref name="key"/> in <paramref name="db"/>'s database.</summary>
    public static async Task<ExclusiveTurn> TakeAsync(DbContext db, long key, CancellationToken cancellationToken) =>
        (await TakeAsync(db, key, wait: true, cancellationToken))!;

    /// <summary>
    /// The turn named <paramref name="key"/> in <paramref name="db"/>'s database if no other instance
    /// holds it; null, at once, if one does (its round does the work this one would have done).
    /// </summary>
    public static Task<ExclusiveTurn?> TryTakeAsync(DbContext db, long key, CancellationToken cancellationToken) =>
        TakeAsync(db, key, wait: false, cancellationToken);

    private static async Task<ExclusiveTurn?> TakeAsync(DbContext db, long key, bool wait, CancellationToken cancellationToken)
    {
        var connection = new NpgsqlConnection(db.Database.GetConnectionString());
        try
        {
            await connection.OpenAsync(cancellationToken);
            await using var take = new NpgsqlCommand(wait ? "SELECT pg_advisory_lock($1)" : "SELECT pg_try_advisory_lock($1)", connection)
            {
                Parameters = { new() { Value = key } },
                // A start-up step waits as long as the other instance takes (it may be migrating), unless cancelled.
                CommandTimeout = wait ? 0 : 30,
            };
            if (await take.ExecuteScalarAsync(cancellationToken) is false)
            {
                await connection.DisposeAsync();
                return null;
            }
            return new ExclusiveTurn(connection, key);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Gives the turn back. Closing the connection alone would not: a pooled connection keeps its
    /// session, and the lock with it, until it is next used, so another instance could wait minutes
    /// for a turn nobody holds. When the unlock fails the connection is dropped instead of pooled
    /// (the server then ends the session and its locks).
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            await using var give = new NpgsqlCommand("SELECT pg_advisory_unlock($1)", _connection) { Parameters = { new() { Value = _key } } };
            await give.ExecuteNonQueryAsync();
        }
        catch (Exception)
        {
            NpgsqlConnection.ClearPool(_connection);
        }
        finally
        {
            await _connection.DisposeAsync();
        }
    }
}
