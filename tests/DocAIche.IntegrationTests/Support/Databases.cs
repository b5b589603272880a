using Aspire.Hosting.Testing;
using Npgsql;

namespace DocAIche.IntegrationTests.Support;

/// <summary>Direct access to the services' databases, as their owner (a superuser here): what an attacker with the database would have.</summary>
public static class Databases
{
    public static readonly string[] All = ["identitydb", "documentsdb", "searchdb", "auditdb"];

    public static async Task<NpgsqlConnection> OpenAsync(this DocAIcheFixture docaiche, string database)
    {
        var connection = new NpgsqlConnection(await docaiche.App.GetConnectionStringAsync(database));
        await connection.OpenAsync();
        return connection;
    }

    public static async Task<int> ExecuteAsync(this NpgsqlConnection connection, string sql, params (string Name, object Value)[] parameters)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }
        return await command.ExecuteNonQueryAsync();
    }

    public static async Task<T> ScalarAsync<T>(this NpgsqlConnection connection, string sql, params (string Name, object Value)[] parameters)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }
        return (T)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>Every table, in every service's database, with a row whose text contains <paramref name="needle"/> (case-insensitive).</summary>
    public static async Task<List<string>> TablesContainingAsync(this DocAIcheFixture docaiche, string needle)
    {
        var found = new List<string>();
        foreach (var database in All)
        {
            await using var connection = await docaiche.OpenAsync(database);
            var tables = new List<string>();
            await using (var list = new NpgsqlCommand("SELECT tablename FROM pg_tables WHERE schemaname = 'public'", connection))
            await using (var reader = await list.ExecuteReaderAsync())
            {
                while (await reader.ReadAsync())
                {
                    tables.Add(reader.GetString(0));
                }
            }
            foreach (var table in tables)
            {
                var hits = await connection.ScalarAsync<long>(
                    $"SELECT count(*) FROM public.\"{table}\" AS row WHERE row::text ILIKE '%' || @needle || '%'", ("needle", needle));
                if (hits > 0)
                {
                    found.Add($"{database}.{table} ({hits})");
                }
            }
        }
        return found;
    }
}
