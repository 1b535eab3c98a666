using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Chorus.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class MailOut : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AlterColumn<Guid>(
                name: "MessageId",
                table: "Outbox",
                type: "TEXT",
                nullable: true,
                oldClrType: typeof(Guid),
                oldType: "TEXT");

            migrationBuilder.AddColumn<Guid>(
                name: "ConversationId",
                table: "Outbox",
                type: "TEXT",
                nullable: false,
                defaultValue: new Guid("00000000-0000-0000-0000-000000000000"));

            migrationBuilder.AddColumn<string>(
                name: "Purpose",
                table: "Outbox",
                type: "TEXT",
                maxLength: 20,
                nullable: false,
                defaultValue: "Reply");

            // Every item so far was a reply: it belongs to its message's conversation.
            migrationBuilder.Sql("""UPDATE "Outbox" SET "ConversationId" = (SELECT m."ConversationId" FROM "Messages" m WHERE m."Id" = "Outbox"."MessageId") WHERE "MessageId" IS NOT NULL""");

            migrationBuilder.CreateTable(
                name: "NotificationPreferences",
                columns: table => new
                {
                    StaffUserId = table.Column<string>(type: "TEXT", nullable: false),
                    MentionEmails = table.Column<bool>(type: "INTEGER", nullable: false),
                    AssignmentEmails = table.Column<bool>(type: "INTEGER", nullable: false),
                    UpdatedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_NotificationPreferences", x => x.StaffUserId);
                    table.ForeignKey(
                        name: "FK_NotificationPreferences_AspNetUsers_StaffUserId",
                        column: x => x.StaffUserId,
                        principalTable: "AspNetUsers",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "PersonLists",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    Name = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    CreatedById = table.Column<string>(type: "TEXT", nullable: true),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_PersonLists", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "PersonListMembers",
                columns: table => new
                {
                    ListId = table.Column<Guid>(type: "TEXT", nullable: false),
                    PersonId = table.Column<Guid>(type: "TEXT", nullable: false),
                    AddedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_PersonListMembers", x => new { x.ListId, x.PersonId });
                    table.ForeignKey(
                        name: "FK_PersonListMembers_People_PersonId",
                        column: x => x.PersonId,
                        principalTable: "People",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_PersonListMembers_PersonLists_ListId",
                        column: x => x.ListId,
                        principalTable: "PersonLists",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_Outbox_ConversationId",
                table: "Outbox",
                column: "ConversationId");

            migrationBuilder.CreateIndex(
                name: "IX_PersonListMembers_PersonId",
                table: "PersonListMembers",
                column: "PersonId");

            migrationBuilder.CreateIndex(
                name: "IX_PersonLists_Name",
                table: "PersonLists",
                column: "Name",
                unique: true);

            migrationBuilder.AddForeignKey(
                name: "FK_Outbox_Conversations_ConversationId",
                table: "Outbox",
                column: "ConversationId",
                principalTable: "Conversations",
                principalColumn: "Id",
                onDelete: ReferentialAction.Cascade);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "FK_Outbox_Conversations_ConversationId",
                table: "Outbox");

            migrationBuilder.DropTable(
                name: "NotificationPreferences");

            migrationBuilder.DropTable(
                name: "PersonListMembers");

            migrationBuilder.DropTable(
                name: "PersonLists");

            migrationBuilder.DropIndex(
                name: "IX_Outbox_ConversationId",
                table: "Outbox");

            migrationBuilder.DropColumn(
                name: "ConversationId",
                table: "Outbox");

            migrationBuilder.DropColumn(
                name: "Purpose",
                table: "Outbox");

            migrationBuilder.AlterColumn<Guid>(
                name: "MessageId",
                table: "Outbox",
                type: "TEXT",
                nullable: false,
                defaultValue: new Guid("00000000-0000-0000-0000-000000000000"),
                oldClrType: typeof(Guid),
                oldType: "TEXT",
                oldNullable: true);
        }
    }
}
