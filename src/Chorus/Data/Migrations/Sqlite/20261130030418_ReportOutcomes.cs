using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Chorus.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class ReportOutcomes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "CsatRated",
                table: "ReportDays",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<int>(
                name: "CsatRatingSum",
                table: "ReportDays",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<int>(
                name: "CsatSatisfied",
                table: "ReportDays",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<int>(
                name: "Deflections",
                table: "ReportDays",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<int>(
                name: "FirstReplySlaMet",
                table: "ReportDays",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<int>(
                name: "FirstReplySlaMissed",
                table: "ReportDays",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<int>(
                name: "ResolutionSlaMet",
                table: "ReportDays",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<int>(
                name: "ResolutionSlaMissed",
                table: "ReportDays",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "CsatRated",
                table: "ReportDays");

            migrationBuilder.DropColumn(
                name: "CsatRatingSum",
                table: "ReportDays");

            migrationBuilder.DropColumn(
                name: "CsatSatisfied",
                table: "ReportDays");

            migrationBuilder.DropColumn(
                name: "Deflections",
                table: "ReportDays");

            migrationBuilder.DropColumn(
                name: "FirstReplySlaMet",
                table: "ReportDays");

            migrationBuilder.DropColumn(
                name: "FirstReplySlaMissed",
                table: "ReportDays");

            migrationBuilder.DropColumn(
                name: "ResolutionSlaMet",
                table: "ReportDays");

            migrationBuilder.DropColumn(
                name: "ResolutionSlaMissed",
                table: "ReportDays");
        }
    }
}
