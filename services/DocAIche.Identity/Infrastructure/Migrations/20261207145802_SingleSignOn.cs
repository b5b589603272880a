using System;
using System.Collections.Generic;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace DocAIche.Identity.Infrastructure.Migrations
{
    /// <inheritdoc />
    public partial class SingleSignOn : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "ExternalSubject",
                table: "users",
                type: "character varying(600)",
                maxLength: 600,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "identity_providers",
                columns: table => new
                {
                    TenantId = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    DisplayName = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    Authority = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: false),
                    ClientId = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    ProtectedClientSecret = table.Column<string>(type: "text", nullable: false),
                    Scopes = table.Column<List<string>>(type: "text[]", nullable: false),
                    EmailClaim = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    NameClaim = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    GroupsClaim = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    Domains = table.Column<List<string>>(type: "text[]", nullable: false),
                    EnforceSso = table.Column<bool>(type: "boolean", nullable: false),
                    Enabled = table.Column<bool>(type: "boolean", nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    UpdatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    GroupRoles = table.Column<string>(type: "jsonb", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_identity_providers", x => x.TenantId);
                    table.ForeignKey(
                        name: "FK_identity_providers_tenants_TenantId",
                        column: x => x.TenantId,
                        principalTable: "tenants",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "sso_sign_ins",
                columns: table => new
                {
                    StateHash = table.Column<string>(type: "character(64)", fixedLength: true, maxLength: 64, nullable: false),
                    TenantId = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    BrowserHash = table.Column<string>(type: "character(64)", fixedLength: true, maxLength: 64, nullable: false),
                    Nonce = table.Column<string>(type: "text", nullable: false),
                    CodeVerifier = table.Column<string>(type: "text", nullable: false),
                    ReturnUrl = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: false),
                    ExpiresAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_sso_sign_ins", x => x.StateHash);
                });

            migrationBuilder.CreateTable(
                name: "sso_domains",
                columns: table => new
                {
                    Domain = table.Column<string>(type: "character varying(253)", maxLength: 253, nullable: false),
                    TenantId = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_sso_domains", x => x.Domain);
                    table.ForeignKey(
                        name: "FK_sso_domains_identity_providers_TenantId",
                        column: x => x.TenantId,
                        principalTable: "identity_providers",
                        principalColumn: "TenantId",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_users_ExternalSubject",
                table: "users",
                column: "ExternalSubject",
                unique: true,
                filter: "\"ExternalSubject\" IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "IX_sso_domains_TenantId",
                table: "sso_domains",
                column: "TenantId");

            migrationBuilder.CreateIndex(
                name: "IX_sso_sign_ins_ExpiresAt",
                table: "sso_sign_ins",
                column: "ExpiresAt");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "sso_domains");

            migrationBuilder.DropTable(
                name: "sso_sign_ins");

            migrationBuilder.DropTable(
                name: "identity_providers");

            migrationBuilder.DropIndex(
                name: "IX_users_ExternalSubject",
                table: "users");

            migrationBuilder.DropColumn(
                name: "ExternalSubject",
                table: "users");
        }
    }
}
