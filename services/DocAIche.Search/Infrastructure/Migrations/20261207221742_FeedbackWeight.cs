using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace DocAIche.Search.Infrastructure.Migrations
{
    /// <inheritdoc />
    public partial class FeedbackWeight : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<double>(
                name: "Weight",
                table: "search_feedback",
                type: "double precision",
                nullable: false,
                computedColumnSql: "CASE \"Kind\" WHEN 'Helpful' THEN 1.0 WHEN 'NotHelpful' THEN -1.0 WHEN 'Used' THEN 0.5 ELSE 0.25 END",
                stored: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "Weight",
                table: "search_feedback");
        }
    }
}
