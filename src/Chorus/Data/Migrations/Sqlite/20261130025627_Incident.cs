using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Chorus.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class Incident : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "Incidents",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    Number = table.Column<long>(type: "INTEGER", nullable: false),
                    Title = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    Status = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    OwnerId = table.Column<string>(type: "TEXT", maxLength: 450, nullable: true),
                    MonitorId = table.Column<Guid>(type: "TEXT", nullable: true),
                    AlertId = table.Column<Guid>(type: "TEXT", nullable: true),
                    Statement = table.Column<string>(type: "TEXT", maxLength: 10000, nullable: false),
                    StatementStatus = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    StatementDraftedById = table.Column<string>(type: "TEXT", maxLength: 450, nullable: true),
                    StatementApprovedById = table.Column<string>(type: "TEXT", maxLength: 450, nullable: true),
                    StatementApprovedByName = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    StatementApprovedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    StatementPostedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    MacroId = table.Column<Guid>(type: "TEXT", nullable: true),
                    CreatedById = table.Column<string>(type: "TEXT", maxLength: 450, nullable: true),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    UpdatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    ResolvedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    Version = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Incidents", x => x.Id);
                    table.ForeignKey(
                        name: "FK_Incidents_AspNetUsers_OwnerId",
                        column: x => x.OwnerId,
                        principalTable: "AspNetUsers",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.SetNull);
                    table.ForeignKey(
                        name: "FK_Incidents_ListeningAlerts_AlertId",
                        column: x => x.AlertId,
                        principalTable: "ListeningAlerts",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.SetNull);
                    table.ForeignKey(
                        name: "FK_Incidents_Macros_MacroId",
                        column: x => x.MacroId,
                        principalTable: "Macros",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.SetNull);
                    table.ForeignKey(
                        name: "FK_Incidents_Monitors_MonitorId",
                        column: x => x.MonitorId,
                        principalTable: "Monitors",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.SetNull);
                });

            migrationBuilder.CreateTable(
                name: "ReplyAccounts",
                columns: table => new
                {
                    ChannelId = table.Column<Guid>(type: "TEXT", nullable: false),
                    ClientId = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    Username = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    SecretsProtected = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: false),
                    UpdatedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ReplyAccounts", x => x.ChannelId);
                    table.ForeignKey(
                        name: "FK_ReplyAccounts_Channels_ChannelId",
                        column: x => x.ChannelId,
                        principalTable: "Channels",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "IncidentChecklistItems",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    IncidentId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Position = table.Column<int>(type: "INTEGER", nullable: false),
                    Text = table.Column<string>(type: "TEXT", maxLength: 300, nullable: false),
                    DoneAt = table.Column<long>(type: "INTEGER", nullable: true),
                    DoneByName = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_IncidentChecklistItems", x => x.Id);
                    table.ForeignKey(
                        name: "FK_IncidentChecklistItems_Incidents_IncidentId",
                        column: x => x.IncidentId,
                        principalTable: "Incidents",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "IncidentEntries",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    IncidentId = table.Column<Guid>(type: "TEXT", nullable: false),
                    At = table.Column<long>(type: "INTEGER", nullable: false),
                    Kind = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    ActorName = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    Text = table.Column<string>(type: "TEXT", maxLength: 10500, nullable: false),
                    ConversationNumber = table.Column<long>(type: "INTEGER", nullable: true),
                    Url = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_IncidentEntries", x => x.Id);
                    table.ForeignKey(
                        name: "FK_IncidentEntries_Incidents_IncidentId",
                        column: x => x.IncidentId,
                        principalTable: "Incidents",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "IncidentTeams",
                columns: table => new
                {
                    IncidentId = table.Column<Guid>(type: "TEXT", nullable: false),
                    TeamId = table.Column<Guid>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_IncidentTeams", x => new { x.IncidentId, x.TeamId });
                    table.ForeignKey(
                        name: "FK_IncidentTeams_Incidents_IncidentId",
                        column: x => x.IncidentId,
                        principalTable: "Incidents",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_IncidentTeams_Teams_TeamId",
                        column: x => x.TeamId,
                        principalTable: "Teams",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "IncidentThreads",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    IncidentId = table.Column<Guid>(type: "TEXT", nullable: false),
                    MentionId = table.Column<Guid>(type: "TEXT", nullable: true),
                    ConversationId = table.Column<Guid>(type: "TEXT", nullable: true),
                    Chosen = table.Column<bool>(type: "INTEGER", nullable: false),
                    AnsweringSince = table.Column<long>(type: "INTEGER", nullable: true),
                    AnswerMessageId = table.Column<Guid>(type: "TEXT", nullable: true),
                    AnswerConversationId = table.Column<Guid>(type: "TEXT", nullable: true),
                    AnswerError = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true),
                    AddedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_IncidentThreads", x => x.Id);
                    table.ForeignKey(
                        name: "FK_IncidentThreads_Conversations_ConversationId",
                        column: x => x.ConversationId,
                        principalTable: "Conversations",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_IncidentThreads_Incidents_IncidentId",
                        column: x => x.IncidentId,
                        principalTable: "Incidents",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_IncidentThreads_Mentions_MentionId",
                        column: x => x.MentionId,
                        principalTable: "Mentions",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_IncidentChecklistItems_IncidentId_Position",
                table: "IncidentChecklistItems",
                columns: new[] { "IncidentId", "Position" });

            migrationBuilder.CreateIndex(
                name: "IX_IncidentEntries_IncidentId_At",
                table: "IncidentEntries",
                columns: new[] { "IncidentId", "At" });

            migrationBuilder.CreateIndex(
                name: "IX_Incidents_AlertId",
                table: "Incidents",
                column: "AlertId",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_Incidents_MacroId",
                table: "Incidents",
                column: "MacroId");

            migrationBuilder.CreateIndex(
                name: "IX_Incidents_MonitorId",
                table: "Incidents",
                column: "MonitorId");

            migrationBuilder.CreateIndex(
                name: "IX_Incidents_Number",
                table: "Incidents",
                column: "Number",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_Incidents_OwnerId",
                table: "Incidents",
                column: "OwnerId");

            migrationBuilder.CreateIndex(
                name: "IX_Incidents_Status_UpdatedAt",
                table: "Incidents",
                columns: new[] { "Status", "UpdatedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_IncidentTeams_TeamId",
                table: "IncidentTeams",
                column: "TeamId");

            migrationBuilder.CreateIndex(
                name: "IX_IncidentThreads_ConversationId",
                table: "IncidentThreads",
                column: "ConversationId");

            migrationBuilder.CreateIndex(
                name: "IX_IncidentThreads_IncidentId_ConversationId",
                table: "IncidentThreads",
                columns: new[] { "IncidentId", "ConversationId" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_IncidentThreads_IncidentId_MentionId",
                table: "IncidentThreads",
                columns: new[] { "IncidentId", "MentionId" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_IncidentThreads_MentionId",
                table: "IncidentThreads",
                column: "MentionId");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "IncidentChecklistItems");

            migrationBuilder.DropTable(
                name: "IncidentEntries");

            migrationBuilder.DropTable(
                name: "IncidentTeams");

            migrationBuilder.DropTable(
                name: "IncidentThreads");

            migrationBuilder.DropTable(
                name: "ReplyAccounts");

            migrationBuilder.DropTable(
                name: "Incidents");
        }
    }
}
