using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Chorus.Data.Migrations.Postgres
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
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    Number = table.Column<long>(type: "bigint", nullable: false),
                    Title = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    Status = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    OwnerId = table.Column<string>(type: "character varying(450)", maxLength: 450, nullable: true),
                    MonitorId = table.Column<Guid>(type: "uuid", nullable: true),
                    AlertId = table.Column<Guid>(type: "uuid", nullable: true),
                    Statement = table.Column<string>(type: "character varying(10000)", maxLength: 10000, nullable: false),
                    StatementStatus = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    StatementDraftedById = table.Column<string>(type: "character varying(450)", maxLength: 450, nullable: true),
                    StatementApprovedById = table.Column<string>(type: "character varying(450)", maxLength: 450, nullable: true),
                    StatementApprovedByName = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    StatementApprovedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    StatementPostedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    MacroId = table.Column<Guid>(type: "uuid", nullable: true),
                    CreatedById = table.Column<string>(type: "character varying(450)", maxLength: 450, nullable: true),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    UpdatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    ResolvedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    Version = table.Column<int>(type: "integer", nullable: false)
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
                    ChannelId = table.Column<Guid>(type: "uuid", nullable: false),
                    ClientId = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    Username = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    SecretsProtected = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: false),
                    UpdatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
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
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    IncidentId = table.Column<Guid>(type: "uuid", nullable: false),
                    Position = table.Column<int>(type: "integer", nullable: false),
                    Text = table.Column<string>(type: "character varying(300)", maxLength: 300, nullable: false),
                    DoneAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    DoneByName = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true)
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
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    IncidentId = table.Column<Guid>(type: "uuid", nullable: false),
                    At = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    Kind = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    ActorName = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    Text = table.Column<string>(type: "character varying(10500)", maxLength: 10500, nullable: false),
                    ConversationNumber = table.Column<long>(type: "bigint", nullable: true),
                    Url = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true)
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
                    IncidentId = table.Column<Guid>(type: "uuid", nullable: false),
                    TeamId = table.Column<Guid>(type: "uuid", nullable: false)
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
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    IncidentId = table.Column<Guid>(type: "uuid", nullable: false),
                    MentionId = table.Column<Guid>(type: "uuid", nullable: true),
                    ConversationId = table.Column<Guid>(type: "uuid", nullable: true),
                    Chosen = table.Column<bool>(type: "boolean", nullable: false),
                    AnsweringSince = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    AnswerMessageId = table.Column<Guid>(type: "uuid", nullable: true),
                    AnswerConversationId = table.Column<Guid>(type: "uuid", nullable: true),
                    AnswerError = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true),
                    AddedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
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
