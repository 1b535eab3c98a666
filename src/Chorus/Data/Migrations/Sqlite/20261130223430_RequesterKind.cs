using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Chorus.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class RequesterKind : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "RequesterKind",
                table: "Conversations",
                type: "TEXT",
                maxLength: 20,
                nullable: false,
                defaultValue: "Customer");

            // The database keeps the copy in step, whichever code path writes: a new conversation takes its
            // requester's kind (the WHEN skips the write when the insert had it right, as it has for customers), so
            // does a conversation whose requester changes (merges), and a person's new kind reaches all of theirs.
            migrationBuilder.Sql("""
                UPDATE "Conversations" SET "RequesterKind" = (SELECT "Kind" FROM "People" WHERE "Id" = "Conversations"."RequesterId");
                CREATE TRIGGER "Conversations_requester_kind_insert" AFTER INSERT ON "Conversations"
                WHEN new."RequesterKind" IS NOT (SELECT "Kind" FROM "People" WHERE "Id" = new."RequesterId") BEGIN
                    UPDATE "Conversations" SET "RequesterKind" = (SELECT "Kind" FROM "People" WHERE "Id" = new."RequesterId") WHERE "Id" = new."Id";
                END;
                CREATE TRIGGER "Conversations_requester_kind_update" AFTER UPDATE OF "RequesterId" ON "Conversations" BEGIN
                    UPDATE "Conversations" SET "RequesterKind" = (SELECT "Kind" FROM "People" WHERE "Id" = new."RequesterId") WHERE "Id" = new."Id";
                END;
                CREATE TRIGGER "People_kind_update" AFTER UPDATE OF "Kind" ON "People" WHEN new."Kind" IS NOT old."Kind" BEGIN
                    UPDATE "Conversations" SET "RequesterKind" = new."Kind" WHERE "RequesterId" = new."Id";
                END;
                """);

            migrationBuilder.CreateIndex(
                name: "IX_Conversations_RequesterKind_Status_LastMessageAt",
                table: "Conversations",
                columns: new[] { "RequesterKind", "Status", "LastMessageAt" },
                filter: "\"RequesterKind\" <> 'Customer'");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP TRIGGER "Conversations_requester_kind_insert"; DROP TRIGGER "Conversations_requester_kind_update"; DROP TRIGGER "People_kind_update";
                """);

            migrationBuilder.DropIndex(
                name: "IX_Conversations_RequesterKind_Status_LastMessageAt",
                table: "Conversations");

            migrationBuilder.DropColumn(
                name: "RequesterKind",
                table: "Conversations");
        }
    }
}
