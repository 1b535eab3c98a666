using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Chorus.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class Reports : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "ReportAgentDays",
                columns: table => new
                {
                    Day = table.Column<DateOnly>(type: "TEXT", nullable: false),
                    StaffUserId = table.Column<string>(type: "TEXT", maxLength: 450, nullable: false),
                    Replies = table.Column<int>(type: "INTEGER", nullable: false),
                    Notes = table.Column<int>(type: "INTEGER", nullable: false),
                    Solved = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ReportAgentDays", x => new { x.Day, x.StaffUserId });
                });

            migrationBuilder.CreateTable(
                name: "ReportDays",
                columns: table => new
                {
                    Day = table.Column<DateOnly>(type: "TEXT", nullable: false),
                    TeamId = table.Column<Guid>(type: "TEXT", nullable: false),
                    ChannelId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Created = table.Column<int>(type: "INTEGER", nullable: false),
                    Solved = table.Column<int>(type: "INTEGER", nullable: false),
                    Reopened = table.Column<int>(type: "INTEGER", nullable: false),
                    BacklogIn = table.Column<int>(type: "INTEGER", nullable: false),
                    BacklogOut = table.Column<int>(type: "INTEGER", nullable: false),
                    FirstReplies = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ReportDays", x => new { x.Day, x.TeamId, x.ChannelId });
                });

            migrationBuilder.CreateTable(
                name: "ReportLatencies",
                columns: table => new
                {
                    Day = table.Column<DateOnly>(type: "TEXT", nullable: false),
                    TeamId = table.Column<Guid>(type: "TEXT", nullable: false),
                    ChannelId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Kind = table.Column<int>(type: "INTEGER", nullable: false),
                    Bucket = table.Column<int>(type: "INTEGER", nullable: false),
                    Count = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ReportLatencies", x => new { x.Day, x.TeamId, x.ChannelId, x.Kind, x.Bucket });
                });

            migrationBuilder.CreateTable(
                name: "ReportTagDays",
                columns: table => new
                {
                    Day = table.Column<DateOnly>(type: "TEXT", nullable: false),
                    Tag = table.Column<string>(type: "TEXT", maxLength: 50, nullable: false),
                    Conversations = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ReportTagDays", x => new { x.Day, x.Tag });
                });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "ReportAgentDays");

            migrationBuilder.DropTable(
                name: "ReportDays");

            migrationBuilder.DropTable(
                name: "ReportLatencies");

            migrationBuilder.DropTable(
                name: "ReportTagDays");
        }
    }
}
