using DocAIche.Audit.Trail;
using DocAIche.ServiceDefaults.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace DocAIche.Audit.Infrastructure;

/// <summary>
/// The audit service's runtime role: it reads and appends audit records and checkpoints but can
/// neither change nor delete them (the only deletion is retention's <c>audit_purge</c> function,
/// which leaves a signed checkpoint). It moves the chain's end, manages subject keys and privacy
/// requests, and uses the outbox and inbox. Everything else (schema, triggers, the function)
/// belongs to the owner that migrates.
/// </summary>
public sealed class AuditDatabaseRole(IOptions<AuditOptions> options) : IDatabaseRoleSetup<AuditDbContext>
{
    public async Task ApplyAsync(AuditDbContext ownerContext, CancellationToken cancellationToken)
    {
        var role = options.Value.RuntimeRole.Name;
        // Role names cannot be parameters; the name is validated against ^[a-z_][a-z0-9_]*$ at start-up.
        var quotedRole = $"\"{role}\"";
        var password = options.Value.RuntimeRole.Password.Replace("'", "''", StringComparison.Ordinal);
        var database = ownerContext.Database.GetDbConnection().Database;
        var statements = new[]
        {
            $"DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{role}') THEN CREATE ROLE {quotedRole} LOGIN; END IF; END $$",
            $"ALTER ROLE {quotedRole} WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS PASSWORD '{password}'",
            $"GRANT CONNECT ON DATABASE \"{database}\" TO {quotedRole}",
            $"GRANT USAGE ON SCHEMA public TO {quotedRole}",
            $"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {quotedRole}",
            $"GRANT SELECT, INSERT ON audit_records, audit_checkpoints TO {quotedRole}",
            $"GRANT SELECT, INSERT, UPDATE ON audit_chains TO {quotedRole}",
            $"GRANT SELECT, INSERT, DELETE ON subject_keys TO {quotedRole}",
            // Verification history: kept; only who asked is rewritten when that person is erased.
            $"GRANT SELECT, INSERT, UPDATE ON chain_verification_runs TO {quotedRole}",
            $"GRANT SELECT, INSERT, UPDATE, DELETE ON retention_policies, privacy_requests, privacy_request_parts, outbox_messages, inbox_messages TO {quotedRole}",
            $"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {quotedRole}",
            $"REVOKE ALL ON FUNCTION audit_purge(text, bigint, text, bigint, timestamptz, text) FROM PUBLIC",
            $"GRANT EXECUTE ON FUNCTION audit_purge(text, bigint, text, bigint, timestamptz, text) TO {quotedRole}",
        };
        foreach (var statement in statements)
        {
#pragma warning disable EF1002 // Built from a validated role name and an escaped password; DDL takes no parameters.
            await ownerContext.Database.ExecuteSqlRawAsync(statement, cancellationToken);
#pragma warning restore EF1002
        }
    }
}
