using System;
using System.Collections.Generic;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace DocAIche.Documents.Infrastructure.Migrations
{
    /// <inheritdoc />
    public partial class Ingestion : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // Documents stored before libraries existed belong to no version; they cannot be kept
            // (every document belongs to exactly one library version). Nothing was released with them.
            migrationBuilder.Sql("DELETE FROM documents;");

            migrationBuilder.AddColumn<string>(
                name: "ETag",
                table: "documents",
                type: "character varying(300)",
                maxLength: 300,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Key",
                table: "documents",
                type: "character varying(2048)",
                maxLength: 2048,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<string>(
                name: "LastModified",
                table: "documents",
                type: "character varying(100)",
                maxLength: 100,
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "LibraryId",
                table: "documents",
                type: "uuid",
                nullable: false,
                defaultValue: new Guid("00000000-0000-0000-0000-000000000000"));

            migrationBuilder.AddColumn<Guid>(
                name: "LibraryVersionId",
                table: "documents",
                type: "uuid",
                nullable: false,
                defaultValue: new Guid("00000000-0000-0000-0000-000000000000"));

            migrationBuilder.AddColumn<List<string>>(
                name: "Links",
                table: "documents",
                type: "text[]",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "Revision",
                table: "documents",
                type: "integer",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<Guid>(
                name: "SourceId",
                table: "documents",
                type: "uuid",
                nullable: false,
                defaultValue: new Guid("00000000-0000-0000-0000-000000000000"));

            migrationBuilder.CreateTable(
                name: "chunks",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    DocumentId = table.Column<Guid>(type: "uuid", nullable: false),
                    TenantId = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    Ordinal = table.Column<int>(type: "integer", nullable: false),
                    Breadcrumb = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: false),
                    Url = table.Column<string>(type: "character varying(2348)", maxLength: 2348, nullable: true),
                    Languages = table.Column<List<string>>(type: "text[]", nullable: false),
                    Content = table.Column<string>(type: "text", nullable: false),
                    ContentHash = table.Column<string>(type: "character(64)", fixedLength: true, maxLength: 64, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_chunks", x => x.Id);
                    table.ForeignKey(
                        name: "FK_chunks_documents_DocumentId",
                        column: x => x.DocumentId,
                        principalTable: "documents",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "libraries",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    TenantId = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    Name = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    Description = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true),
                    Shared = table.Column<bool>(type: "boolean", nullable: false),
                    DefaultVersion = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    CreatedBy = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    UpdatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_libraries", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "library_versions",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    LibraryId = table.Column<Guid>(type: "uuid", nullable: false),
                    TenantId = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    Name = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_library_versions", x => x.Id);
                    table.ForeignKey(
                        name: "FK_library_versions_libraries_LibraryId",
                        column: x => x.LibraryId,
                        principalTable: "libraries",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "sources",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    TenantId = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    LibraryVersionId = table.Column<Guid>(type: "uuid", nullable: false),
                    Kind = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    ProtectedToken = table.Column<string>(type: "text", nullable: true),
                    Schedule = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true),
                    NextRunAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    LastCommit = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    LastIngestedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    CreatedBy = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    UpdatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    Git = table.Column<string>(type: "jsonb", nullable: true),
                    Website = table.Column<string>(type: "jsonb", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_sources", x => x.Id);
                    table.ForeignKey(
                        name: "FK_sources_library_versions_LibraryVersionId",
                        column: x => x.LibraryVersionId,
                        principalTable: "library_versions",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "ingestion_jobs",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    TenantId = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    SourceId = table.Column<Guid>(type: "uuid", nullable: false),
                    Trigger = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    State = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    RequestedBy = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    OnlyKeys = table.Column<List<string>>(type: "text[]", nullable: true),
                    RetryOfJobId = table.Column<Guid>(type: "uuid", nullable: true),
                    IsSnapshot = table.Column<bool>(type: "boolean", nullable: false),
                    Discovered = table.Column<int>(type: "integer", nullable: false),
                    Fetched = table.Column<int>(type: "integer", nullable: false),
                    Processed = table.Column<int>(type: "integer", nullable: false),
                    Skipped = table.Column<int>(type: "integer", nullable: false),
                    Failed = table.Column<int>(type: "integer", nullable: false),
                    Chunks = table.Column<int>(type: "integer", nullable: false),
                    DocumentsChanged = table.Column<int>(type: "integer", nullable: false),
                    DocumentsRemoved = table.Column<int>(type: "integer", nullable: false),
                    Commit = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    Error = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true),
                    Note = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true),
                    CancelRequested = table.Column<bool>(type: "boolean", nullable: false),
                    Attempts = table.Column<int>(type: "integer", nullable: false),
                    LeaseOwner = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    LeaseExpiresAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    StartedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    FinishedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ingestion_jobs", x => x.Id);
                    table.ForeignKey(
                        name: "FK_ingestion_jobs_sources_SourceId",
                        column: x => x.SourceId,
                        principalTable: "sources",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "ingestion_job_items",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    JobId = table.Column<Guid>(type: "uuid", nullable: false),
                    Key = table.Column<string>(type: "character varying(2048)", maxLength: 2048, nullable: false),
                    State = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    Title = table.Column<string>(type: "character varying(300)", maxLength: 300, nullable: true),
                    Url = table.Column<string>(type: "character varying(2048)", maxLength: 2048, nullable: true),
                    Markdown = table.Column<string>(type: "text", nullable: true),
                    ContentHash = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    ETag = table.Column<string>(type: "character varying(300)", maxLength: 300, nullable: true),
                    LastModified = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true),
                    Links = table.Column<List<string>>(type: "text[]", nullable: true),
                    Error = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true),
                    At = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ingestion_job_items", x => x.Id);
                    table.ForeignKey(
                        name: "FK_ingestion_job_items_ingestion_jobs_JobId",
                        column: x => x.JobId,
                        principalTable: "ingestion_jobs",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "staged_uploads",
                columns: table => new
                {
                    JobId = table.Column<Guid>(type: "uuid", nullable: false),
                    FileName = table.Column<string>(type: "character varying(300)", maxLength: 300, nullable: false),
                    Content = table.Column<byte[]>(type: "bytea", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_staged_uploads", x => x.JobId);
                    table.ForeignKey(
                        name: "FK_staged_uploads_ingestion_jobs_JobId",
                        column: x => x.JobId,
                        principalTable: "ingestion_jobs",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_documents_LibraryVersionId_Id",
                table: "documents",
                columns: new[] { "LibraryVersionId", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_documents_SourceId_Key",
                table: "documents",
                columns: new[] { "SourceId", "Key" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_chunks_DocumentId_Ordinal",
                table: "chunks",
                columns: new[] { "DocumentId", "Ordinal" });

            migrationBuilder.CreateIndex(
                name: "IX_ingestion_job_items_JobId_Key",
                table: "ingestion_job_items",
                columns: new[] { "JobId", "Key" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_ingestion_jobs_SourceId_CreatedAt",
                table: "ingestion_jobs",
                columns: new[] { "SourceId", "CreatedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_ingestion_jobs_State_CreatedAt",
                table: "ingestion_jobs",
                columns: new[] { "State", "CreatedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_ingestion_jobs_TenantId_Id",
                table: "ingestion_jobs",
                columns: new[] { "TenantId", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_libraries_Shared",
                table: "libraries",
                column: "Shared");

            migrationBuilder.CreateIndex(
                name: "IX_libraries_TenantId_Name",
                table: "libraries",
                columns: new[] { "TenantId", "Name" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_library_versions_LibraryId_Name",
                table: "library_versions",
                columns: new[] { "LibraryId", "Name" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_sources_LibraryVersionId",
                table: "sources",
                column: "LibraryVersionId");

            migrationBuilder.CreateIndex(
                name: "IX_sources_NextRunAt",
                table: "sources",
                column: "NextRunAt");

            migrationBuilder.CreateIndex(
                name: "IX_sources_TenantId_LibraryVersionId",
                table: "sources",
                columns: new[] { "TenantId", "LibraryVersionId" });

            migrationBuilder.AddForeignKey(
                name: "FK_documents_library_versions_LibraryVersionId",
                table: "documents",
                column: "LibraryVersionId",
                principalTable: "library_versions",
                principalColumn: "Id",
                onDelete: ReferentialAction.Cascade);

            migrationBuilder.AddForeignKey(
                name: "FK_documents_sources_SourceId",
                table: "documents",
                column: "SourceId",
                principalTable: "sources",
                principalColumn: "Id",
                onDelete: ReferentialAction.Cascade);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "FK_documents_library_versions_LibraryVersionId",
                table: "documents");

            migrationBuilder.DropForeignKey(
                name: "FK_documents_sources_SourceId",
                table: "documents");

            migrationBuilder.DropTable(
                name: "chunks");

            migrationBuilder.DropTable(
                name: "ingestion_job_items");

            migrationBuilder.DropTable(
                name: "staged_uploads");

            migrationBuilder.DropTable(
                name: "ingestion_jobs");

            migrationBuilder.DropTable(
                name: "sources");

            migrationBuilder.DropTable(
                name: "library_versions");

            migrationBuilder.DropTable(
                name: "libraries");

            migrationBuilder.DropIndex(
                name: "IX_documents_LibraryVersionId_Id",
                table: "documents");

            migrationBuilder.DropIndex(
                name: "IX_documents_SourceId_Key",
                table: "documents");

            migrationBuilder.DropColumn(
                name: "ETag",
                table: "documents");

            migrationBuilder.DropColumn(
                name: "Key",
                table: "documents");

            migrationBuilder.DropColumn(
                name: "LastModified",
                table: "documents");

            migrationBuilder.DropColumn(
                name: "LibraryId",
                table: "documents");

            migrationBuilder.DropColumn(
                name: "LibraryVersionId",
                table: "documents");

            migrationBuilder.DropColumn(
                name: "Links",
                table: "documents");

            migrationBuilder.DropColumn(
                name: "Revision",
                table: "documents");

            migrationBuilder.DropColumn(
                name: "SourceId",
                table: "documents");
        }
    }
}
