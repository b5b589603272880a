using System;
using System.Collections.Generic;
using Microsoft.EntityFrameworkCore.Migrations;
using NpgsqlTypes;

#nullable disable

namespace DocAIche.Search.Infrastructure.Migrations
{
    /// <inheritdoc />
    public partial class ChunkIndex : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // The index is rebuilt from chunk events; whole-document rows of the walking skeleton go.
            migrationBuilder.Sql("DELETE FROM indexed_documents;");

            migrationBuilder.DropIndex(
                name: "IX_indexed_documents_SearchVector",
                table: "indexed_documents");

            migrationBuilder.DropIndex(
                name: "IX_indexed_documents_TenantId",
                table: "indexed_documents");

            migrationBuilder.DropColumn(
                name: "SearchVector",
                table: "indexed_documents");

            migrationBuilder.DropColumn(
                name: "Content",
                table: "indexed_documents");

            migrationBuilder.DropColumn(
                name: "ContentHash",
                table: "indexed_documents");

            migrationBuilder.DropColumn(
                name: "IndexedAt",
                table: "indexed_documents");

            migrationBuilder.DropColumn(
                name: "SourceUrl",
                table: "indexed_documents");

            migrationBuilder.DropColumn(
                name: "StoredAt",
                table: "indexed_documents");

            migrationBuilder.DropColumn(
                name: "Title",
                table: "indexed_documents");

            migrationBuilder.AddColumn<Guid>(
                name: "LibraryId",
                table: "indexed_documents",
                type: "uuid",
                nullable: false,
                defaultValue: new Guid("00000000-0000-0000-0000-000000000000"));

            migrationBuilder.AddColumn<bool>(
                name: "Removed",
                table: "indexed_documents",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<int>(
                name: "Revision",
                table: "indexed_documents",
                type: "integer",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.CreateTable(
                name: "indexed_chunks",
                columns: table => new
                {
                    ChunkId = table.Column<Guid>(type: "uuid", nullable: false),
                    DocumentId = table.Column<Guid>(type: "uuid", nullable: false),
                    TenantId = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    LibraryId = table.Column<Guid>(type: "uuid", nullable: false),
                    Library = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    Version = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    Title = table.Column<string>(type: "character varying(300)", maxLength: 300, nullable: false),
                    Breadcrumb = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: false),
                    Url = table.Column<string>(type: "character varying(2400)", maxLength: 2400, nullable: true),
                    Ordinal = table.Column<int>(type: "integer", nullable: false),
                    Languages = table.Column<List<string>>(type: "text[]", nullable: false),
                    Content = table.Column<string>(type: "text", nullable: false),
                    ContentHash = table.Column<string>(type: "character(64)", fixedLength: true, maxLength: 64, nullable: false),
                    Revision = table.Column<int>(type: "integer", nullable: false),
                    IndexedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    SearchVector = table.Column<NpgsqlTsVector>(type: "tsvector", nullable: false, computedColumnSql: "setweight(to_tsvector('english', coalesce(\"Title\", '')), 'A') || setweight(to_tsvector('english', coalesce(\"Breadcrumb\", '')), 'B') || setweight(to_tsvector('english', coalesce(\"Content\", '')), 'C')", stored: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_indexed_chunks", x => x.ChunkId);
                });

            migrationBuilder.CreateTable(
                name: "indexed_libraries",
                columns: table => new
                {
                    LibraryId = table.Column<Guid>(type: "uuid", nullable: false),
                    TenantId = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    Name = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    Description = table.Column<string>(type: "text", nullable: true),
                    Shared = table.Column<bool>(type: "boolean", nullable: false),
                    DefaultVersion = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    Versions = table.Column<List<string>>(type: "text[]", nullable: false),
                    Deleted = table.Column<bool>(type: "boolean", nullable: false),
                    ChangedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_indexed_libraries", x => x.LibraryId);
                });

            migrationBuilder.CreateIndex(
                name: "IX_indexed_documents_LibraryId",
                table: "indexed_documents",
                column: "LibraryId");

            migrationBuilder.CreateIndex(
                name: "IX_indexed_chunks_DocumentId",
                table: "indexed_chunks",
                column: "DocumentId");

            migrationBuilder.CreateIndex(
                name: "IX_indexed_chunks_LibraryId_Version",
                table: "indexed_chunks",
                columns: new[] { "LibraryId", "Version" });

            migrationBuilder.CreateIndex(
                name: "IX_indexed_chunks_SearchVector",
                table: "indexed_chunks",
                column: "SearchVector")
                .Annotation("Npgsql:IndexMethod", "GIN");

            migrationBuilder.CreateIndex(
                name: "IX_indexed_chunks_TenantId",
                table: "indexed_chunks",
                column: "TenantId");

            migrationBuilder.CreateIndex(
                name: "IX_indexed_libraries_TenantId_Name",
                table: "indexed_libraries",
                columns: new[] { "TenantId", "Name" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "indexed_chunks");

            migrationBuilder.DropTable(
                name: "indexed_libraries");

            migrationBuilder.DropIndex(
                name: "IX_indexed_documents_LibraryId",
                table: "indexed_documents");

            migrationBuilder.DropColumn(
                name: "LibraryId",
                table: "indexed_documents");

            migrationBuilder.DropColumn(
                name: "Removed",
                table: "indexed_documents");

            migrationBuilder.DropColumn(
                name: "Revision",
                table: "indexed_documents");

            migrationBuilder.AddColumn<string>(
                name: "Content",
                table: "indexed_documents",
                type: "text",
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<string>(
                name: "ContentHash",
                table: "indexed_documents",
                type: "character(64)",
                fixedLength: true,
                maxLength: 64,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "IndexedAt",
                table: "indexed_documents",
                type: "timestamp with time zone",
                nullable: false,
                defaultValue: new DateTimeOffset(new DateTime(1, 1, 1, 0, 0, 0, 0, DateTimeKind.Unspecified), new TimeSpan(0, 0, 0, 0, 0)));

            migrationBuilder.AddColumn<string>(
                name: "SourceUrl",
                table: "indexed_documents",
                type: "character varying(2048)",
                maxLength: 2048,
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "StoredAt",
                table: "indexed_documents",
                type: "timestamp with time zone",
                nullable: false,
                defaultValue: new DateTimeOffset(new DateTime(1, 1, 1, 0, 0, 0, 0, DateTimeKind.Unspecified), new TimeSpan(0, 0, 0, 0, 0)));

            migrationBuilder.AddColumn<string>(
                name: "Title",
                table: "indexed_documents",
                type: "character varying(300)",
                maxLength: 300,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<NpgsqlTsVector>(
                name: "SearchVector",
                table: "indexed_documents",
                type: "tsvector",
                nullable: false,
                computedColumnSql: "setweight(to_tsvector('english', coalesce(\"Title\", '')), 'A') || setweight(to_tsvector('english', coalesce(\"Content\", '')), 'B')",
                stored: true);

            migrationBuilder.CreateIndex(
                name: "IX_indexed_documents_SearchVector",
                table: "indexed_documents",
                column: "SearchVector")
                .Annotation("Npgsql:IndexMethod", "GIN");

            migrationBuilder.CreateIndex(
                name: "IX_indexed_documents_TenantId",
                table: "indexed_documents",
                column: "TenantId");
        }
    }
}
