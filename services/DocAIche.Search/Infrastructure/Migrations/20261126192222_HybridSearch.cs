using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace DocAIche.Search.Infrastructure.Migrations
{
    /// <inheritdoc />
    public partial class HybridSearch : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "Generation",
                table: "indexed_libraries",
                type: "bigint",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.AddColumn<string>(
                name: "EmbeddingModel",
                table: "indexed_chunks",
                type: "character varying(200)",
                maxLength: 200,
                nullable: true);

            // Vectors live outside the EF model: 384 dimensions (MiniLM, Arctic-embed-xs, or a remote
            // model asked for 384), cosine distance, HNSW with pgvector's defaults.
            migrationBuilder.Sql("""ALTER TABLE indexed_chunks ADD COLUMN "Embedding" vector(384);""");
            migrationBuilder.Sql("""CREATE INDEX "IX_indexed_chunks_Embedding" ON indexed_chunks USING hnsw ("Embedding" vector_cosine_ops) WITH (m = 16, ef_construction = 64);""");

            migrationBuilder.CreateTable(
                name: "search_feedback",
                columns: table => new
                {
                    FeedbackId = table.Column<Guid>(type: "uuid", nullable: false),
                    TenantId = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    Subject = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    DocumentId = table.Column<Guid>(type: "uuid", nullable: false),
                    ChunkId = table.Column<Guid>(type: "uuid", nullable: true),
                    Query = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: true),
                    Kind = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    Comment = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_search_feedback", x => x.FeedbackId);
                });

            migrationBuilder.CreateIndex(
                name: "IX_indexed_chunks_EmbeddingModel_IndexedAt",
                table: "indexed_chunks",
                columns: new[] { "EmbeddingModel", "IndexedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_search_feedback_TenantId_DocumentId",
                table: "search_feedback",
                columns: new[] { "TenantId", "DocumentId" });

            migrationBuilder.CreateIndex(
                name: "IX_search_feedback_TenantId_Subject",
                table: "search_feedback",
                columns: new[] { "TenantId", "Subject" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "search_feedback");

            migrationBuilder.Sql("""DROP INDEX "IX_indexed_chunks_Embedding";""");
            migrationBuilder.Sql("""ALTER TABLE indexed_chunks DROP COLUMN "Embedding";""");

            migrationBuilder.DropIndex(
                name: "IX_indexed_chunks_EmbeddingModel_IndexedAt",
                table: "indexed_chunks");

            migrationBuilder.DropColumn(
                name: "Generation",
                table: "indexed_libraries");

            migrationBuilder.DropColumn(
                name: "EmbeddingModel",
                table: "indexed_chunks");
        }
    }
}
