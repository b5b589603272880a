using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace DocAIche.Audit.Infrastructure.Migrations
{
    /// <inheritdoc />
    public partial class ChainVerificationHistory : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "chain_verification_runs",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    TenantId = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    At = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    RequestedBy = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    Verified = table.Column<bool>(type: "boolean", nullable: false),
                    RecordsChecked = table.Column<long>(type: "bigint", nullable: false),
                    FirstBrokenSequence = table.Column<long>(type: "bigint", nullable: true),
                    Problem = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true),
                    Milliseconds = table.Column<double>(type: "double precision", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_chain_verification_runs", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_chain_verification_runs_TenantId_At",
                table: "chain_verification_runs",
                columns: new[] { "TenantId", "At" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "chain_verification_runs");
        }
    }
}
