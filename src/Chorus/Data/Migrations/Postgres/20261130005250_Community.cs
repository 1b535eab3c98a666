using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Chorus.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class Community : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<Guid>(
                name: "ConversationId",
                table: "ForumTopics",
                type: "uuid",
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "EditedAt",
                table: "ForumPosts",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "EditedByName",
                table: "ForumPosts",
                type: "character varying(200)",
                maxLength: 200,
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "IsSupport",
                table: "ForumCategories",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.CreateTable(
                name: "BlockedMessages",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    ChannelId = table.Column<Guid>(type: "uuid", nullable: false),
                    ExternalId = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: false),
                    PersonId = table.Column<Guid>(type: "uuid", nullable: false),
                    AuthorHandle = table.Column<string>(type: "character varying(320)", maxLength: 320, nullable: false),
                    AuthorName = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    Subject = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: true),
                    Text = table.Column<string>(type: "text", nullable: false),
                    At = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    ReceivedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_BlockedMessages", x => x.Id);
                    table.ForeignKey(
                        name: "FK_BlockedMessages_Channels_ChannelId",
                        column: x => x.ChannelId,
                        principalTable: "Channels",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_BlockedMessages_People_PersonId",
                        column: x => x.PersonId,
                        principalTable: "People",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "ForumFlags",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    PostId = table.Column<Guid>(type: "uuid", nullable: false),
                    MemberId = table.Column<Guid>(type: "uuid", nullable: false),
                    Reason = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    Note = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: true),
                    Weight = table.Column<int>(type: "integer", nullable: false),
                    At = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    ResolvedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    Resolution = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: true),
                    ResolvedByName = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ForumFlags", x => x.Id);
                    table.ForeignKey(
                        name: "FK_ForumFlags_ForumMembers_MemberId",
                        column: x => x.MemberId,
                        principalTable: "ForumMembers",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_ForumFlags_ForumPosts_PostId",
                        column: x => x.PostId,
                        principalTable: "ForumPosts",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "ForumPostRevisions",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    PostId = table.Column<Guid>(type: "uuid", nullable: false),
                    Number = table.Column<int>(type: "integer", nullable: false),
                    Markdown = table.Column<string>(type: "text", nullable: false),
                    AuthorName = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    At = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    EditedByName = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    EditedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    Reason = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ForumPostRevisions", x => x.Id);
                    table.ForeignKey(
                        name: "FK_ForumPostRevisions_ForumPosts_PostId",
                        column: x => x.PostId,
                        principalTable: "ForumPosts",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "MemberSanctions",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    MemberId = table.Column<Guid>(type: "uuid", nullable: false),
                    Kind = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    Reason = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: false),
                    At = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    EndsAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    ByName = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    LiftedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    LiftedByName = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_MemberSanctions", x => x.Id);
                    table.ForeignKey(
                        name: "FK_MemberSanctions_ForumMembers_MemberId",
                        column: x => x.MemberId,
                        principalTable: "ForumMembers",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "PersonBlocks",
                columns: table => new
                {
                    PersonId = table.Column<Guid>(type: "uuid", nullable: false),
                    Reason = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: false),
                    At = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    ByName = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_PersonBlocks", x => x.PersonId);
                    table.ForeignKey(
                        name: "FK_PersonBlocks_People_PersonId",
                        column: x => x.PersonId,
                        principalTable: "People",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_ForumTopics_ConversationId",
                table: "ForumTopics",
                column: "ConversationId");

            migrationBuilder.CreateIndex(
                name: "IX_BlockedMessages_ChannelId_ExternalId",
                table: "BlockedMessages",
                columns: new[] { "ChannelId", "ExternalId" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_BlockedMessages_PersonId",
                table: "BlockedMessages",
                column: "PersonId");

            migrationBuilder.CreateIndex(
                name: "IX_BlockedMessages_ReceivedAt",
                table: "BlockedMessages",
                column: "ReceivedAt");

            migrationBuilder.CreateIndex(
                name: "IX_ForumFlags_MemberId",
                table: "ForumFlags",
                column: "MemberId");

            migrationBuilder.CreateIndex(
                name: "IX_ForumFlags_PostId_MemberId",
                table: "ForumFlags",
                columns: new[] { "PostId", "MemberId" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_ForumFlags_ResolvedAt_At",
                table: "ForumFlags",
                columns: new[] { "ResolvedAt", "At" });

            migrationBuilder.CreateIndex(
                name: "IX_ForumPostRevisions_PostId_Number",
                table: "ForumPostRevisions",
                columns: new[] { "PostId", "Number" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_MemberSanctions_MemberId_At",
                table: "MemberSanctions",
                columns: new[] { "MemberId", "At" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "BlockedMessages");

            migrationBuilder.DropTable(
                name: "ForumFlags");

            migrationBuilder.DropTable(
                name: "ForumPostRevisions");

            migrationBuilder.DropTable(
                name: "MemberSanctions");

            migrationBuilder.DropTable(
                name: "PersonBlocks");

            migrationBuilder.DropIndex(
                name: "IX_ForumTopics_ConversationId",
                table: "ForumTopics");

            migrationBuilder.DropColumn(
                name: "ConversationId",
                table: "ForumTopics");

            migrationBuilder.DropColumn(
                name: "EditedAt",
                table: "ForumPosts");

            migrationBuilder.DropColumn(
                name: "EditedByName",
                table: "ForumPosts");

            migrationBuilder.DropColumn(
                name: "IsSupport",
                table: "ForumCategories");
        }
    }
}
