using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Chorus.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class RuleEventsFollowerCountsChecklistSteps : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<bool>(
                name: "DoneAutomatically",
                table: "IncidentChecklistItems",
                type: "INTEGER",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<string>(
                name: "Step",
                table: "IncidentChecklistItems",
                type: "TEXT",
                maxLength: 40,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "FollowerCounts",
                columns: table => new
                {
                    ChannelId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Day = table.Column<DateOnly>(type: "TEXT", nullable: false),
                    Followers = table.Column<long>(type: "INTEGER", nullable: false),
                    RecordedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_FollowerCounts", x => new { x.ChannelId, x.Day });
                    table.ForeignKey(
                        name: "FK_FollowerCounts_PublishingChannels_ChannelId",
                        column: x => x.ChannelId,
                        principalTable: "PublishingChannels",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "RuleEvents",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    Sequence = table.Column<long>(type: "INTEGER", nullable: false),
                    Trigger = table.Column<string>(type: "TEXT", maxLength: 30, nullable: false),
                    ConversationId = table.Column<Guid>(type: "TEXT", nullable: false),
                    MessageId = table.Column<Guid>(type: "TEXT", nullable: true),
                    RaisedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    Attempts = table.Column<int>(type: "INTEGER", nullable: false),
                    NextAttemptAt = table.Column<long>(type: "INTEGER", nullable: false),
                    LastError = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_RuleEvents", x => x.Id);
                    table.ForeignKey(
                        name: "FK_RuleEvents_Conversations_ConversationId",
                        column: x => x.ConversationId,
                        principalTable: "Conversations",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_RuleEvents_ConversationId_Sequence",
                table: "RuleEvents",
                columns: new[] { "ConversationId", "Sequence" });

            migrationBuilder.CreateIndex(
                name: "IX_RuleEvents_Sequence",
                table: "RuleEvents",
                column: "Sequence");

            // Incidents opened before checklist items knew their step: the default items tick themselves too.
            migrationBuilder.Sql("UPDATE \"IncidentChecklistItems\" SET \"Step\" = 'statement-drafted' WHERE \"Text\" = 'Draft the statement'");
            migrationBuilder.Sql("UPDATE \"IncidentChecklistItems\" SET \"Step\" = 'statement-approved' WHERE \"Text\" = 'Get the statement approved'");
            migrationBuilder.Sql("UPDATE \"IncidentChecklistItems\" SET \"Step\" = 'statement-posted' WHERE \"Text\" = 'Post the statement to the threads'");
            migrationBuilder.Sql("UPDATE \"IncidentChecklistItems\" SET \"Step\" = 'macro-saved' WHERE \"Text\" = 'Brief Support: the statement is a macro'");
            migrationBuilder.Sql("UPDATE \"IncidentChecklistItems\" SET \"Step\" = 'resolved' WHERE \"Text\" = 'Watch the volume come down, then resolve'");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "FollowerCounts");

            migrationBuilder.DropTable(
                name: "RuleEvents");

            migrationBuilder.DropColumn(
                name: "DoneAutomatically",
                table: "IncidentChecklistItems");

            migrationBuilder.DropColumn(
                name: "Step",
                table: "IncidentChecklistItems");
        }
    }
}
