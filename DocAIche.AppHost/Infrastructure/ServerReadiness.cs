using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;

namespace DocAIche.AppHost.Infrastructure;

/// <summary>Readiness checks of the locally started servers: each asks the server itself, over its own protocol.</summary>
internal static class ServerReadiness
{
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(3);

    /// <summary>
    /// Ready when PostgreSQL accepts our superuser, pgvector can be installed, and every service
    /// database exists (they are created here, once, before any service starts).
    /// </summary>
    public static async Task<HealthCheckResult> PostgresAsync(EndpointReference endpoint, string password, IEnumerable<string> databases, CancellationToken cancellationToken)
    {
        if (!endpoint.IsAllocated)
        {
            return HealthCheckResult.Unhealthy("No port allocated yet.");
        }
        var connectionString = new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1",
            Port = endpoint.Port,
            Username = "postgres",
            Password = password,
            Database = "postgres",
            Timeout = 3,
            Pooling = false,
        }.ConnectionString;

        try
        {
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync(cancellationToken);

            await using (var vector = new NpgsqlCommand("SELECT count(*) FROM pg_available_extensions WHERE name = 'vector'", connection))
            {
                if ((long)(await vector.ExecuteScalarAsync(cancellationToken))! == 0)
                {
                    return HealthCheckResult.Unhealthy("pgvector is not installed for this PostgreSQL; run ./run.sh (or eng/install-servers.sh) as root once.");
                }
            }

            foreach (var database in databases)
            {
                await using var exists = new NpgsqlCommand("SELECT count(*) FROM pg_database WHERE datname = $1", connection);
                exists.Parameters.Add(new NpgsqlParameter { Value = database });
                if ((long)(await exists.ExecuteScalarAsync(cancellationToken))! == 0)
                {
                    // Names come from the AppHost's own constants, never from input.
                    await using var create = new NpgsqlCommand($"CREATE DATABASE \"{database}\"", connection);
                    await create.ExecuteNonQueryAsync(cancellationToken);
                }
            }
            return HealthCheckResult.Healthy();
        }
        catch (Exception exception) when (exception is NpgsqlException or SocketException or TimeoutException)
        {
            return HealthCheckResult.Unhealthy("PostgreSQL is not accepting connections yet.", exception);
        }
    }

    /// <summary>Ready when Redis answers PONG to an authenticated PING.</summary>
    public static async Task<HealthCheckResult> RedisAsync(EndpointReference endpoint, string password, CancellationToken cancellationToken)
    {
        var reply = await ExchangeAsync(endpoint, Encoding.ASCII.GetBytes($"AUTH {password}\r\nPING\r\n"), "+PONG"u8.Length + "+OK\r\n"u8.Length, cancellationToken);
        return reply is not null && Encoding.ASCII.GetString(reply).Contains("+PONG", StringComparison.Ordinal)
            ? HealthCheckResult.Healthy()
            : HealthCheckResult.Unhealthy("Redis is not answering yet.");
    }

    /// <summary>Ready when the broker answers an AMQP 0-9-1 protocol header with Connection.Start (a method frame).</summary>
    public static async Task<HealthCheckResult> RabbitMqAsync(EndpointReference endpoint, CancellationToken cancellationToken)
    {
        var reply = await ExchangeAsync(endpoint, "AMQP\0\0\x09\x01"u8.ToArray(), 1, cancellationToken);
        return reply is [0x01, ..]
            ? HealthCheckResult.Healthy()
            : HealthCheckResult.Unhealthy("RabbitMQ is not accepting AMQP connections yet.");
    }

    /// <summary>Ready when the port accepts connections (epmd).</summary>
    public static async Task<HealthCheckResult> AcceptsConnectionsAsync(EndpointReference endpoint, CancellationToken cancellationToken)
    {
        var reply = await ExchangeAsync(endpoint, [], 0, cancellationToken);
        return reply is not null ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy("Not accepting connections yet.");
    }

    private static async Task<byte[]?> ExchangeAsync(EndpointReference endpoint, byte[] request, int minimumReply, CancellationToken cancellationToken)
    {
        if (!endpoint.IsAllocated)
        {
            return null;
        }
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ProbeTimeout);
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync("127.0.0.1", endpoint.Port, timeout.Token);
            if (minimumReply == 0)
            {
                return [];
            }
            var stream = client.GetStream();
            await stream.WriteAsync(request, timeout.Token);
            var buffer = new byte[256];
            var read = 0;
            while (read < minimumReply)
            {
                var n = await stream.ReadAsync(buffer.AsMemory(read), timeout.Token);
                if (n == 0)
                {
                    break;
                }
                read += n;
            }
            return read == 0 ? null : buffer[..read];
        }
        catch (Exception exception) when (exception is SocketException or IOException or OperationCanceledException)
        {
            return null;
        }
    }
}
