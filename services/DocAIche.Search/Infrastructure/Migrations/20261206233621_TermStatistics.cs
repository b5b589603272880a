using System;
using System.Collections.Generic;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace DocAIche.Search.Infrastructure.Migrations
{
    /// <inheritdoc />
    public partial class TermStatistics : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "CommonTerms",
                table: "indexed_libraries");

            migrationBuilder.AddColumn<int>(
                name: "TermsChunks",
                table: "indexed_libraries",
                type: "integer",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.CreateTable(
                name: "indexed_terms",
                columns: table => new
                {
                    LibraryId = table.Column<Guid>(type: "uuid", nullable: false),
                    Lexeme = table.Column<string>(type: "text", nullable: false),
                    TenantId = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    Chunks = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_indexed_terms", x => new { x.LibraryId, x.Lexeme });
                });

            // Every library is counted again, into the new table.
            migrationBuilder.Sql("""UPDATE indexed_libraries SET "TermsGeneration" = -1, "TermsCountedAt" = NULL;""");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "indexed_terms");

            migrationBuilder.DropColumn(
                name: "TermsChunks",
                table: "indexed_libraries");

            migrationBuilder.AddColumn<List<string>>(
                name: "CommonTerms",
                table: "indexed_libraries",
                type: "text[]",
                nullable: false,
                defaultValue: new List<string>());
        }
    }
}
