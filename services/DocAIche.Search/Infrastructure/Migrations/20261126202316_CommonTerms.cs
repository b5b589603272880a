using System;
using System.Collections.Generic;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace DocAIche.Search.Infrastructure.Migrations
{
    /// <inheritdoc />
    public partial class CommonTerms : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // Searches read the GIN index far more often than chunks are written: without a pending list,
            // no search pays for scanning one (it cost milliseconds right after a bulk load).
            migrationBuilder.Sql("""ALTER INDEX "IX_indexed_chunks_SearchVector" SET (fastupdate = off);""");
            migrationBuilder.Sql("""SELECT gin_clean_pending_list('"IX_indexed_chunks_SearchVector"'::regclass);""");

            migrationBuilder.AddColumn<List<string>>(
                name: "CommonTerms",
                table: "indexed_libraries",
                type: "text[]",
                nullable: false,
                defaultValueSql: "'{}'::text[]");

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "TermsCountedAt",
                table: "indexed_libraries",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "TermsGeneration",
                table: "indexed_libraries",
                type: "bigint",
                nullable: false,
                defaultValue: 0L);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""ALTER INDEX "IX_indexed_chunks_SearchVector" RESET (fastupdate);""");
            migrationBuilder.DropColumn(
                name: "CommonTerms",
                table: "indexed_libraries");

            migrationBuilder.DropColumn(
                name: "TermsCountedAt",
                table: "indexed_libraries");

            migrationBuilder.DropColumn(
                name: "TermsGeneration",
                table: "indexed_libraries");
        }
    }
}
