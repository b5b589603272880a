using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace DocAIche.Identity.Infrastructure.Migrations
{
    /// <inheritdoc />
    public partial class TenantQuotas : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "DocumentQuota",
                table: "tenants",
                type: "bigint",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "LibraryQuota",
                table: "tenants",
                type: "bigint",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "LiveConnectionQuota",
                table: "tenants",
                type: "bigint",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "SearchesPerDayQuota",
                table: "tenants",
                type: "bigint",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "StorageQuotaBytes",
                table: "tenants",
                type: "bigint",
                nullable: true);

            migrationBuilder.UpdateData(
                table: "tenants",
                keyColumn: "Id",
                keyValue: "default",
                columns: new[] { "DocumentQuota", "LibraryQuota", "LiveConnectionQuota", "SearchesPerDayQuota", "StorageQuotaBytes" },
                values: new object[] { null, null, null, null, null });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "DocumentQuota",
                table: "tenants");

            migrationBuilder.DropColumn(
                name: "LibraryQuota",
                table: "tenants");

            migrationBuilder.DropColumn(
                name: "LiveConnectionQuota",
                table: "tenants");

            migrationBuilder.DropColumn(
                name: "SearchesPerDayQuota",
                table: "tenants");

            migrationBuilder.DropColumn(
                name: "StorageQuotaBytes",
                table: "tenants");
        }
    }
}
