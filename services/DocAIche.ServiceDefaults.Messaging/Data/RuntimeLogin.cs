using System.ComponentModel.DataAnnotations;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace DocAIche.ServiceDefaults.Data;

/// <summary>
/// Section <c>Database:RuntimeRole</c>: the login a service works as. It may read and write the
/// rows of its tables and nothing else: the schema (tables, indexes, functions) belongs to the
/// owner, who only migrates. With no password the service works as the owner (a plain local run).
/// </summary>
public sealed partial class RuntimeLoginOptions
{
    public const string Section = "Database:RuntimeRole";

    /// <summary>The role's name; each service has its default (identity_runtime, …).</summary>
    [RegularExpression("^[a-z_][a-z0-9_]*$")]
    public string? Name { get; set; }

    /// <summary>Its password, from the deployment's secrets.</summary>
    public string? Password { get; set; }

    internal static bool IsValidName(string name) => RoleName().IsMatch(name);

    [GeneratedRegex("^[a-z_][a-z0-9_]*$")]
    private static partial Regex RoleName();
}

/// <summary>
/// Creates the service's runtime role if it is missing (CloudNativePG's managed roles create it in
/// a cluster), sets its password, and grants it the rows of every table and sequence of the
/// schema, as the owner, right after each migration (so tables a migration adds are covered).
/// </summary>
public sealed class RuntimeRoleSetup<TContext>(DatabaseLogin runtime) : IDatabaseRoleSetup<TContext>
    where TContext : DbContext
{
    public async Task ApplyAsync(TContext ownerContext, CancellationToken cancellationToken)
    {
        if (!RuntimeLoginOptions.IsValidName(runtime.Username))
        {
            throw new InvalidOperationException($"'{runtime.Username}' is not a role name DocAIche creates (lower-case letters, digits, underscores).");
        }
        var role = $"\"{runtime.Username}\"";
        var password = runtime.Password.Replace("'", "''", StringComparison.Ordinal);
        var database = ownerContext.Database.GetDbConnection().Database;
        string[] statements =
        [
            $"DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{runtime.Username}') THEN CREATE ROLE {role} LOGIN; END IF; END $$",
            $"ALTER ROLE {role} WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS PASSWORD '{password}'",
            $"GRANT CONNECT, TEMPORARY ON DATABASE \"{database}\" TO {role}",
            $"GRANT USAGE ON SCHEMA public TO {role}",
            $"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}",
            $"GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO {role}",
        ];
        foreach (var statement in statements)
        {
#pragma warning disable EF1002 // Built from a validated role name and an escaped password; DDL takes no parameters.
            await ownerContext.Database.ExecuteSqlRawAsync(statement, cancellationToken);
#pragma warning restore EF1002
        }
    }
}
