using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Chorus.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class ProblemsIncidentsEngagementNewsletterMemberMail : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "WarnMinutesBefore",
                table: "SlaPolicies",
                type: "INTEGER",
                nullable: false,
                defaultValue: 30); // existing policies warn half an hour ahead, like new ones

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

            migrationBuilder.AddColumn<Guid>(
                name: "MailboxId",
                table: "PublishingChannels",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "PersonListId",
                table: "PublishingChannels",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "MergedIntoId",
                table: "ForumTopics",
                type: "TEXT",
                nullable: true);

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
                name: "JobLeases",
                columns: table => new
                {
                    Name = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    Owner = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    Until = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_JobLeases", x => x.Name);
                });

            migrationBuilder.CreateTable(
                name: "MemberEmailPreferences",
                columns: table => new
                {
                    MemberId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Replies = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    Mentions = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    UpdatedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_MemberEmailPreferences", x => x.MemberId);
                    table.ForeignKey(
                        name: "FK_MemberEmailPreferences_ForumMembers_MemberId",
                        column: x => x.MemberId,
                        principalTable: "ForumMembers",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "MemberNotifications",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    MemberId = table.Column<Guid>(type: "TEXT", nullable: false),
                    PostId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Kind = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    Delivery = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    SentAt = table.Column<long>(type: "INTEGER", nullable: true),
                    DigestId = table.Column<Guid>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_MemberNotifications", x => x.Id);
                    table.ForeignKey(
                        name: "FK_MemberNotifications_ForumMembers_MemberId",
                        column: x => x.MemberId,
                        principalTable: "ForumMembers",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_MemberNotifications_ForumPosts_PostId",
                        column: x => x.PostId,
                        principalTable: "ForumPosts",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "NewsletterOptOuts",
                columns: table => new
                {
                    PersonId = table.Column<Guid>(type: "TEXT", nullable: false),
                    At = table.Column<long>(type: "INTEGER", nullable: false),
                    ChannelId = table.Column<Guid>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_NewsletterOptOuts", x => x.PersonId);
                    table.ForeignKey(
                        name: "FK_NewsletterOptOuts_People_PersonId",
                        column: x => x.PersonId,
                        principalTable: "People",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "PostEngagements",
                columns: table => new
                {
                    DeliveryId = table.Column<Guid>(type: "TEXT", nullable: false),
                    PostId = table.Column<Guid>(type: "TEXT", nullable: false),
                    ChannelId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Replies = table.Column<int>(type: "INTEGER", nullable: false),
                    Boosts = table.Column<int>(type: "INTEGER", nullable: false),
                    Favourites = table.Column<int>(type: "INTEGER", nullable: false),
                    PolledAt = table.Column<long>(type: "INTEGER", nullable: true),
                    NextPollAt = table.Column<long>(type: "INTEGER", nullable: false),
                    Failures = table.Column<int>(type: "INTEGER", nullable: false),
                    LastError = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true),
                    StoppedReason = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    LeaseOwner = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true),
                    LeaseUntil = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_PostEngagements", x => x.DeliveryId);
                    table.ForeignKey(
                        name: "FK_PostEngagements_PostDeliveries_DeliveryId",
                        column: x => x.DeliveryId,
                        principalTable: "PostDeliveries",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "Problems",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    Number = table.Column<long>(type: "INTEGER", nullable: false),
                    Title = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    Description = table.Column<string>(type: "TEXT", maxLength: 20000, nullable: false),
                    Status = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    EngineeringUrl = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true),
                    TeamId = table.Column<Guid>(type: "TEXT", nullable: true),
                    CreatedById = table.Column<string>(type: "TEXT", maxLength: 450, nullable: true),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    UpdatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    SolvedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    Version = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Problems", x => x.Id);
                    table.ForeignKey(
                        name: "FK_Problems_Teams_TeamId",
                        column: x => x.TeamId,
                        principalTable: "Teams",
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
                name: "SlaWarnings",
                columns: table => new
                {
                    ConversationId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Target = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    DueAt = table.Column<long>(type: "INTEGER", nullable: false),
                    At = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_SlaWarnings", x => new { x.ConversationId, x.Target });
                    table.ForeignKey(
                        name: "FK_SlaWarnings_Conversations_ConversationId",
                        column: x => x.ConversationId,
                        principalTable: "Conversations",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "TopicWatches",
                columns: table => new
                {
                    MemberId = table.Column<Guid>(type: "TEXT", nullable: false),
                    TopicId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Level = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    At = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_TopicWatches", x => new { x.MemberId, x.TopicId });
                    table.ForeignKey(
                        name: "FK_TopicWatches_ForumMembers_MemberId",
                        column: x => x.MemberId,
                        principalTable: "ForumMembers",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_TopicWatches_ForumTopics_TopicId",
                        column: x => x.TopicId,
                        principalTable: "ForumTopics",
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

            migrationBuilder.CreateTable(
                name: "ProblemAnswers",
                columns: table => new
                {
                    ProblemId = table.Column<Guid>(type: "TEXT", nullable: false),
                    ConversationId = table.Column<Guid>(type: "TEXT", nullable: false),
                    MessageId = table.Column<Guid>(type: "TEXT", nullable: true),
                    AnsweredById = table.Column<string>(type: "TEXT", maxLength: 450, nullable: true),
                    At = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ProblemAnswers", x => new { x.ProblemId, x.ConversationId });
                    table.ForeignKey(
                        name: "FK_ProblemAnswers_Conversations_ConversationId",
                        column: x => x.ConversationId,
                        principalTable: "Conversations",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_ProblemAnswers_Problems_ProblemId",
                        column: x => x.ProblemId,
                        principalTable: "Problems",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "ProblemLinks",
                columns: table => new
                {
                    ProblemId = table.Column<Guid>(type: "TEXT", nullable: false),
                    ConversationId = table.Column<Guid>(type: "TEXT", nullable: false),
                    LinkedById = table.Column<string>(type: "TEXT", maxLength: 450, nullable: true),
                    LinkedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ProblemLinks", x => new { x.ProblemId, x.ConversationId });
                    table.ForeignKey(
                        name: "FK_ProblemLinks_Conversations_ConversationId",
                        column: x => x.ConversationId,
                        principalTable: "Conversations",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_ProblemLinks_Problems_ProblemId",
                        column: x => x.ProblemId,
                        principalTable: "Problems",
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

            migrationBuilder.CreateIndex(
                name: "IX_MemberNotifications_Delivery_DigestId_CreatedAt",
                table: "MemberNotifications",
                columns: new[] { "Delivery", "DigestId", "CreatedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_MemberNotifications_DigestId",
                table: "MemberNotifications",
                column: "DigestId");

            migrationBuilder.CreateIndex(
                name: "IX_MemberNotifications_MemberId_PostId",
                table: "MemberNotifications",
                columns: new[] { "MemberId", "PostId" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_MemberNotifications_PostId",
                table: "MemberNotifications",
                column: "PostId");

            migrationBuilder.CreateIndex(
                name: "IX_PostEngagements_ChannelId",
                table: "PostEngagements",
                column: "ChannelId");

            migrationBuilder.CreateIndex(
                name: "IX_PostEngagements_PostId",
                table: "PostEngagements",
                column: "PostId");

            migrationBuilder.CreateIndex(
                name: "IX_PostEngagements_StoppedReason_NextPollAt",
                table: "PostEngagements",
                columns: new[] { "StoppedReason", "NextPollAt" });

            migrationBuilder.CreateIndex(
                name: "IX_ProblemAnswers_ConversationId",
                table: "ProblemAnswers",
                column: "ConversationId");

            migrationBuilder.CreateIndex(
                name: "IX_ProblemLinks_ConversationId",
                table: "ProblemLinks",
                column: "ConversationId");

            migrationBuilder.CreateIndex(
                name: "IX_Problems_Number",
                table: "Problems",
                column: "Number",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_Problems_Status_UpdatedAt",
                table: "Problems",
                columns: new[] { "Status", "UpdatedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_Problems_TeamId",
                table: "Problems",
                column: "TeamId");

            migrationBuilder.CreateIndex(
                name: "IX_TopicWatches_TopicId_Level",
                table: "TopicWatches",
                columns: new[] { "TopicId", "Level" });
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
                name: "JobLeases");

            migrationBuilder.DropTable(
                name: "MemberEmailPreferences");

            migrationBuilder.DropTable(
                name: "MemberNotifications");

            migrationBuilder.DropTable(
                name: "NewsletterOptOuts");

            migrationBuilder.DropTable(
                name: "PostEngagements");

            migrationBuilder.DropTable(
                name: "ProblemAnswers");

            migrationBuilder.DropTable(
                name: "ProblemLinks");

            migrationBuilder.DropTable(
                name: "ReplyAccounts");

            migrationBuilder.DropTable(
                name: "SlaWarnings");

            migrationBuilder.DropTable(
                name: "TopicWatches");

            migrationBuilder.DropTable(
                name: "Incidents");

            migrationBuilder.DropTable(
                name: "Problems");

            migrationBuilder.DropColumn(
                name: "WarnMinutesBefore",
                table: "SlaPolicies");

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

            migrationBuilder.DropColumn(
                name: "MailboxId",
                table: "PublishingChannels");

            migrationBuilder.DropColumn(
                name: "PersonListId",
                table: "PublishingChannels");

            migrationBuilder.DropColumn(
                name: "MergedIntoId",
                table: "ForumTopics");
        }
    }
}
