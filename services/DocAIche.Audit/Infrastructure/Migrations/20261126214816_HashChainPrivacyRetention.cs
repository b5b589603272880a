using System;
using System.Collections.Generic;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace DocAIche.Audit.Infrastructure.Migrations
{
    /// <inheritdoc />
    public partial class HashChainPrivacyRetention : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // Records written before the chain existed cannot join it: they are kept, unchanged, beside it.
            migrationBuilder.Sql("""
                ALTER TABLE audit_records RENAME TO audit_records_legacy;
                ALTER TABLE audit_records_legacy RENAME CONSTRAINT "PK_audit_records" TO "PK_audit_records_legacy";
                ALTER INDEX "IX_audit_records_MessageId" RENAME TO "IX_audit_records_legacy_MessageId";
                ALTER INDEX "IX_audit_records_TenantId_Id" RENAME TO "IX_audit_records_legacy_TenantId_Id";
                ALTER INDEX "IX_audit_records_TenantId_TargetId" RENAME TO "IX_audit_records_legacy_TenantId_TargetId";
                ALTER SEQUENCE "audit_records_Id_seq" RENAME TO "audit_records_legacy_Id_seq";
                """);

            migrationBuilder.CreateTable(
                name: "audit_records",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityAlwaysColumn),
                    TenantId = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    Sequence = table.Column<long>(type: "bigint", nullable: false),
                    OccurredAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    RecordedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    ActorType = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    Actor = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true),
                    ActorIndex = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    ActorKeyId = table.Column<Guid>(type: "uuid", nullable: true),
                    ActorSealed = table.Column<string>(type: "text", nullable: true),
                    Action = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    TargetType = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    TargetId = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true),
                    TargetIndex = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    TargetKeyId = table.Column<Guid>(type: "uuid", nullable: true),
                    TargetSealed = table.Column<string>(type: "text", nullable: true),
                    Outcome = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    TraceId = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: true),
                    Details = table.Column<string>(type: "text", nullable: true),
                    MessageId = table.Column<Guid>(type: "uuid", nullable: false),
                    PreviousHash = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    Hash = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_audit_records", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_audit_records_MessageId",
                table: "audit_records",
                column: "MessageId",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_audit_records_TenantId_TargetId",
                table: "audit_records",
                columns: new[] { "TenantId", "TargetId" });

            migrationBuilder.CreateTable(
                name: "audit_chains",
                columns: table => new
                {
                    TenantId = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    LastSequence = table.Column<long>(type: "bigint", nullable: false),
                    LastHash = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_audit_chains", x => x.TenantId);
                });

            migrationBuilder.CreateTable(
                name: "audit_checkpoints",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityAlwaysColumn),
                    TenantId = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    ThroughSequence = table.Column<long>(type: "bigint", nullable: false),
                    LastHash = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    PurgedRecords = table.Column<long>(type: "bigint", nullable: false),
                    PurgedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    Signature = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_audit_checkpoints", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "privacy_requests",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    TenantId = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    Kind = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    SubjectId = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true),
                    RequestedBy = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true),
                    State = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    Services = table.Column<List<string>>(type: "text[]", nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    CompletedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_privacy_requests", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "retention_policies",
                columns: table => new
                {
                    TenantId = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    AuditRecordDays = table.Column<int>(type: "integer", nullable: false),
                    QueryHistoryDays = table.Column<int>(type: "integer", nullable: false),
                    UpdatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_retention_policies", x => x.TenantId);
                });

            migrationBuilder.CreateTable(
                name: "subject_keys",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    TenantId = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    Subject = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    Key = table.Column<string>(type: "text", nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_subject_keys", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "privacy_request_parts",
                columns: table => new
                {
                    RequestId = table.Column<Guid>(type: "uuid", nullable: false),
                    Service = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    Data = table.Column<string>(type: "text", nullable: true),
                    Summary = table.Column<string>(type: "jsonb", nullable: true),
                    At = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_privacy_request_parts", x => new { x.RequestId, x.Service });
                    table.ForeignKey(
                        name: "FK_privacy_request_parts_privacy_requests_RequestId",
                        column: x => x.RequestId,
                        principalTable: "privacy_requests",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_audit_records_TenantId_Action",
                table: "audit_records",
                columns: new[] { "TenantId", "Action" });

            migrationBuilder.CreateIndex(
                name: "IX_audit_records_TenantId_Actor",
                table: "audit_records",
                columns: new[] { "TenantId", "Actor" });

            migrationBuilder.CreateIndex(
                name: "IX_audit_records_TenantId_ActorIndex",
                table: "audit_records",
                columns: new[] { "TenantId", "ActorIndex" });

            migrationBuilder.CreateIndex(
                name: "IX_audit_records_TenantId_OccurredAt",
                table: "audit_records",
                columns: new[] { "TenantId", "OccurredAt" });

            migrationBuilder.CreateIndex(
                name: "IX_audit_records_TenantId_Sequence",
                table: "audit_records",
                columns: new[] { "TenantId", "Sequence" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_audit_records_TenantId_TargetIndex",
                table: "audit_records",
                columns: new[] { "TenantId", "TargetIndex" });

            migrationBuilder.CreateIndex(
                name: "IX_audit_checkpoints_TenantId_ThroughSequence",
                table: "audit_checkpoints",
                columns: new[] { "TenantId", "ThroughSequence" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_privacy_requests_TenantId_SubjectId",
                table: "privacy_requests",
                columns: new[] { "TenantId", "SubjectId" });

            migrationBuilder.CreateIndex(
                name: "IX_subject_keys_TenantId_Subject",
                table: "subject_keys",
                columns: new[] { "TenantId", "Subject" },
                unique: true);

            // Nobody edits a record in place, whatever their grants; the only deletion is retention's
            // audit_purge, which removes the start of a chain and leaves a signed checkpoint.
            migrationBuilder.Sql("""
                CREATE FUNCTION audit_records_guard() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF TG_OP = 'DELETE' AND current_setting('docaiche.audit_purge', true) = 'on' THEN
                        RETURN OLD;
                    END IF;
                    RAISE EXCEPTION 'audit records are append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
                END $$;

                CREATE TRIGGER audit_records_append_only BEFORE UPDATE OR DELETE ON audit_records
                    FOR EACH ROW EXECUTE FUNCTION audit_records_guard();
                CREATE TRIGGER audit_records_no_truncate BEFORE TRUNCATE ON audit_records
                    FOR EACH STATEMENT EXECUTE FUNCTION audit_records_guard();

                CREATE FUNCTION audit_purge(p_tenant text, p_through bigint, p_hash text, p_count bigint, p_purged_at timestamptz, p_signature text)
                RETURNS bigint LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
                DECLARE
                    deleted bigint;
                BEGIN
                    -- One purge or append at a time per tenant.
                    PERFORM 1 FROM audit_chains WHERE "TenantId" = p_tenant FOR UPDATE;
                    IF NOT EXISTS (SELECT 1 FROM audit_records WHERE "TenantId" = p_tenant AND "Sequence" = p_through AND "Hash" = p_hash) THEN
                        RAISE EXCEPTION 'record % of tenant % does not have the hash the checkpoint names', p_through, p_tenant;
                    END IF;
                    PERFORM set_config('docaiche.audit_purge', 'on', true);
                    DELETE FROM audit_records WHERE "TenantId" = p_tenant AND "Sequence" <= p_through;
                    GET DIAGNOSTICS deleted = ROW_COUNT;
                    PERFORM set_config('docaiche.audit_purge', 'off', true);
                    INSERT INTO audit_checkpoints ("TenantId", "ThroughSequence", "LastHash", "PurgedRecords", "PurgedAt", "Signature")
                        VALUES (p_tenant, p_through, p_hash, p_count, p_purged_at, p_signature);
                    RETURN deleted;
                END $$;
                """);

        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP FUNCTION IF EXISTS audit_purge(text, bigint, text, bigint, timestamptz, text)");
            migrationBuilder.DropTable(name: "audit_records");
            migrationBuilder.DropTable(name: "audit_chains");
            migrationBuilder.DropTable(name: "audit_checkpoints");
            migrationBuilder.DropTable(name: "privacy_request_parts");
            migrationBuilder.DropTable(name: "retention_policies");
            migrationBuilder.DropTable(name: "subject_keys");
            migrationBuilder.DropTable(name: "privacy_requests");
            migrationBuilder.Sql("DROP FUNCTION IF EXISTS audit_records_guard()");
            migrationBuilder.Sql("""
                ALTER TABLE audit_records_legacy RENAME TO audit_records;
                ALTER TABLE audit_records RENAME CONSTRAINT "PK_audit_records_legacy" TO "PK_audit_records";
                ALTER INDEX "IX_audit_records_legacy_MessageId" RENAME TO "IX_audit_records_MessageId";
                ALTER INDEX "IX_audit_records_legacy_TenantId_Id" RENAME TO "IX_audit_records_TenantId_Id";
                ALTER INDEX "IX_audit_records_legacy_TenantId_TargetId" RENAME TO "IX_audit_records_TenantId_TargetId";
                ALTER SEQUENCE "audit_records_legacy_Id_seq" RENAME TO "audit_records_Id_seq";
                """);
        }
    }
}
