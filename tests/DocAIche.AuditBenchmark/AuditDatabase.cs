using Npgsql;

/// <summary>
/// The audit database, as its owner: counts and sizes while the benchmark runs, and the removal of
/// the benchmark tenants afterwards (which the append-only triggers would refuse to the service).
/// </summary>
internal sealed class AuditDatabase : IAsyncDisposable
{
    private readonly NpgsqlDataSource _source;

    public AuditDatabase(string ownerConnectionString)
    {
        ConnectionString = new NpgsqlConnectionStringBuilder(ownerConnectionString)
        {
            ApplicationName = "DocAIche.AuditBenchmark",
            CommandTimeout = 0, // deleting a large benchmark run can take a while
        }.ConnectionString;
        _source = NpgsqlDataSource.Create(ConnectionString);
    }

    /// <summary>The owner connection string, tagged with this benchmark's application name.</summary>
    public string ConnectionString { get; }

    public ValueTask DisposeAsync() => _source.DisposeAsync();

    /// <summary>Whether the service has migrated the database (its tables exist).</summary>
    public async Task<bool> IsMigratedAsync(CancellationToken cancellationToken) =>
        await ScalarAsync<bool>("SELECT to_regclass('audit_records') IS NOT NULL", null, cancellationToken);

    /// <summary>Records of the given tenants.</summary>
    public Task<long> CountAsync(string[] tenants, CancellationToken cancellationToken) =>
        ScalarAsync<long>("""SELECT count(*) FROM audit_records WHERE "TenantId" = ANY($1)""", tenants, cancellationToken);

    /// <summary>Records per tenant (tenants without any are left out).</summary>
    public async Task<Dictionary<string, long>> CountPerTenantAsync(string[] tenants, CancellationToken cancellationToken)
    {
        await using var command = _source.CreateCommand("""SELECT "TenantId", count(*) FROM audit_records WHERE "TenantId" = ANY($1) GROUP BY "TenantId" """);
        command.Parameters.Add(new NpgsqlParameter { Value = tenants });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        while (await reader.ReadAsync(cancellationToken))
        {
            counts[reader.GetString(0)] = reader.GetInt64(1);
        }
        return counts;
    }

    /// <summary><c>pg_total_relation_size('audit_records')</c>: table, TOAST and every index, all tenants.</summary>
    public Task<long> TotalSizeAsync(CancellationToken cancellationToken) =>
        ScalarAsync<long>("SELECT pg_total_relation_size('audit_records')", null, cancellationToken);

    /// <summary>The mean size of the given tenants' rows as stored in the heap (<c>pg_column_size</c> of the whole row; no indexes, no page overhead).</summary>
    public Task<double> MeanRowSizeAsync(string[] tenants, CancellationToken cancellationToken) =>
        ScalarAsync<double>("""SELECT coalesce(avg(pg_column_size(r.*)), 0)::float8 FROM audit_records r WHERE "TenantId" = ANY($1)""", tenants, cancellationToken);

    /// <summary>Per-subject keys created for the given tenants.</summary>
    public Task<long> SubjectKeysAsync(string[] tenants, CancellationToken cancellationToken) =>
        ScalarAsync<long>("""SELECT count(*) FROM subject_keys WHERE "TenantId" = ANY($1)""", tenants, cancellationToken);

    /// <summary>
    /// Removes everything the benchmark tenants left, in one transaction. The <c>audit_records</c> triggers
    /// refuse DELETE to everyone; <c>session_replication_role = replica</c> (superuser only, this transaction
    /// only) skips ordinary triggers. Inbox rows stay: they only name message ids and age out with retention.
    /// </summary>
    public async Task<(long Records, long Chains, long Keys, long Checkpoints)> DeleteTenantsAsync(string[] tenants, CancellationToken cancellationToken)
    {
        await using var connection = await _source.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var role = new NpgsqlCommand("SET LOCAL session_replication_role = replica", connection, transaction))
        {
            await role.ExecuteNonQueryAsync(cancellationToken);
        }
        async Task<long> Delete(string table)
        {
            await using var command = new NpgsqlCommand($"""DELETE FROM {table} WHERE "TenantId" = ANY($1)""", connection, transaction);
            command.Parameters.Add(new NpgsqlParameter { Value = tenants });
            return await command.ExecuteNonQueryAsync(cancellationToken);
        }
        var records = await Delete("audit_records");
        var chains = await Delete("audit_chains");
        var keys = await Delete("subject_keys");
        var checkpoints = await Delete("audit_checkpoints");
        await transaction.CommitAsync(cancellationToken);
        return (records, chains, keys, checkpoints);
    }

    /// <summary>The same removal as SQL, for when it has to be done by hand.</summary>
    public static string DeleteTenantsSql(string[] tenants)
    {
        var list = string.Join(", ", tenants.Select(t => $"'{t}'"));
        return $"""
            BEGIN; SET LOCAL session_replication_role = replica;
            DELETE FROM audit_records WHERE "TenantId" IN ({list});
            DELETE FROM audit_chains WHERE "TenantId" IN ({list});
            DELETE FROM subject_keys WHERE "TenantId" IN ({list});
            DELETE FROM audit_checkpoints WHERE "TenantId" IN ({list});
            COMMIT;
            """;
    }

    private async Task<T> ScalarAsync<T>(string sql, string[]? tenants, CancellationToken cancellationToken)
    {
        await using var command = _source.CreateCommand(sql);
        if (tenants is not null)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = tenants });
        }
        return (T)(await command.ExecuteScalarAsync(cancellationToken))!;
    }
}
